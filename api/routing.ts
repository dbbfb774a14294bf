// Where one accepted event goes (docs/DESIGN "The flow of one event"):
// - the customer's own workflow customer:<id> always hears it: it keeps the facts every journey needs later;
// - a journey run journey:<journeyId>:<customerId> is STARTED only by an event that can open a cycle in that journey
//   (one of its Listen signals whose condition holds: api/route-decision.ts);
// - any other event the journey names (a suppression, an action, a conversion, a reversal, a Listen event whose
//   condition does not hold) is SIGNALLED to the run if one is open, and otherwise not routed: a run started later
//   reads it from customer:<id> (workflows/journey/start-facts.ts), so no rule is lost.
// Conversion and reversal events about a referred person go to the referrer's run.
import {
  CUSTOMER_WORKFLOW_TYPE,
  JOURNEY_WORKFLOW_TYPE,
  customerEventSignal,
  customerWorkflowId,
  journeyEventSignal,
  journeyWorkflowId,
  type JourneyEvent,
  type JourneyRunInput,
  CustomerId,
  JourneyId,
  JourneyVersion,
  customerStartOptions,
  type CustomerProfileDefaults,
} from '../workflows/contract/index.ts';
import type { Client, SignalDefinition } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CompiledPlan } from '../definitions/plan.ts';
import { DEV_REFERRAL_CODE_SECRET, mintReferralCode, resolveReferralCode } from './referral-code.ts';
import { cycleOpening } from './route-decision.ts';
import { serverReportsStarted, signalWithStartReporting } from './signal-with-start.ts';

export type RoutingRole = keyof CompiledPlan['routing'];
const ROLES: RoutingRole[] = ['listen', 'suppress', 'actions', 'conversions', 'reversals', 'prompts', 'ownerTasks'];
/** Roles whose events are about a referred person and belong to the referrer's run. */
const REFERRER_ROLES: RoutingRole[] = ['conversions', 'reversals'];

export interface JourneyDelivery {
  journeyId: string;
  version: number;
  workflowId: string;
  /** The run that was started; absent when an open run was signalled (it keeps its own run id). */
  runId?: string;
  roles: RoutingRole[];
  /** started: the event can open a cycle and no run was open, so one started with it; signalled: the open run
   *  received it; not-routed: the event cannot open a cycle here and no run is open (see `reason`). */
  outcome: 'started' | 'signalled' | 'not-routed';
  reason?: string;
}
export interface CustomerDelivery {
  workflowId: string;
  runId?: string;
  outcome: 'started' | 'signalled';
}

export interface RouteTarget {
  plan: CompiledPlan;
  roles: RoutingRole[];
  /** The customer whose run receives it: the event's customer, or the referrer for conversions. */
  customerId: string;
  /** The event can open a cycle here (a Listen signal whose condition holds, or one only the run can judge): it
   *  starts the run if none is open. Otherwise it is only signalled to an open run. */
  mayStart: boolean;
  /** Why it may not start a run (for the answer when no run is open). */
  whyNoStart?: string;
}

/** The referrer an event names for one journey: data.referrerId, else the advocate whose referral code (minted by
 *  this journey, or an old `ref_` code) data.referralCode is. */
function referrerFor(event: JourneyEvent, journeyId: string, code: ReturnType<typeof resolveReferralCode>): string | undefined {
  const { referrerId } = event.data ?? {};
  if (typeof referrerId === 'string' && referrerId) return referrerId;
  if (code && (code.legacy || code.journeyId === journeyId)) return code.customerId;
  return undefined;
}

/** The journeys an event reaches, pure: active plans whose routing names the type, and whether it may start a run. */
export function routeTargets(
  event: JourneyEvent,
  plans: readonly CompiledPlan[],
  referralCodeSecret = DEV_REFERRAL_CODE_SECRET,
): RouteTarget[] {
  const active = plans.filter((plan) => plan.definition.status === 'active');
  const { referralCode } = event.data ?? {};
  const code =
    typeof referralCode === 'string' && referralCode
      ? resolveReferralCode(
          referralCodeSecret,
          referralCode,
          active.map((p) => p.journeyId),
        )
      : undefined;
  return (
    active
      .map((plan) => ({ plan, roles: ROLES.filter((role) => plan.routing[role]?.includes(event.type)) }))
      // A prompt event belongs to the journey that posted the prompt, and to no other (nor does it ever start a run).
      .filter(({ plan, roles }) => roles.length > 0 && (!roles.includes('prompts') || event.data?.journeyId === plan.journeyId))
      .map(({ plan, roles }) => {
        const referrer = referrerFor(event, plan.journeyId, code);
        const forReferrer = referrer !== undefined && roles.some((r) => REFERRER_ROLES.includes(r));
        // A conversion or reversal is about the referred person: it never opens a cycle for the referrer.
        const opening = roles.includes('listen') && !forReferrer ? cycleOpening(plan, event) : undefined;
        const whyNoStart = opening?.opens ? undefined : opening ? opening.reason : `${roles.join('/')} events only act on a run in flight`;
        return { plan, roles, customerId: forReferrer ? referrer : event.customerId, mayStart: opening?.opens === true, whyNoStart };
      })
  );
}

/** Why an event reached no run of a journey (the answer's `reason`): no run is open and the event cannot start one. */
export function notRoutedReason(workflowId: string, customerId: string, whyNoStart: string | undefined, firstEvent: boolean): string {
  return firstEvent
    ? `this event started customer:${customerId}, so no run ${workflowId} is open, and ${whyNoStart}; customer:${customerId} keeps it for a run started later`
    : `no open run ${workflowId} and ${whyNoStart}; customer:${customerId} keeps it for a run started later`;
}

export async function deliverToJourney(
  client: Client,
  taskQueue: string,
  target: RouteTarget,
  event: JourneyEvent,
  referralCodeSecret = DEV_REFERRAL_CODE_SECRET,
  /** firstEvent: this event started customer:<id>, so a run it starts has no earlier facts to read, and no run of the
   *  customer's is open to signal (a run is only ever started after its customer's workflow took the event). */
  opts: { firstEvent?: boolean } = {},
): Promise<JourneyDelivery> {
  const { plan, customerId, roles } = target;
  const workflowId = journeyWorkflowId(plan.journeyId, customerId);
  const base = { journeyId: plan.journeyId, version: plan.version, workflowId, roles };
  if (!target.mayStart && opts.firstEvent && customerId === event.customerId) {
    // No call: a signal here could only answer "not found" (the server's lookup, one call per journey).
    return {
      ...base,
      outcome: 'not-routed',
      reason: notRoutedReason(workflowId, customerId, target.whyNoStart, true),
    };
  }
  if (!target.mayStart) {
    try {
      await client.workflow.getHandle(workflowId).signal(journeyEventSignal, event);
      return { ...base, outcome: 'signalled' };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return {
        ...base,
        outcome: 'not-routed',
        reason: notRoutedReason(workflowId, event.customerId, target.whyNoStart, false),
      };
    }
  }
  const input: JourneyRunInput = {
    plan,
    customerId,
    referralCode: mintReferralCode(referralCodeSecret, plan.journeyId, customerId),
    ...(opts.firstEvent && customerId === event.customerId ? { firstEventOfCustomer: true } : {}),
  };
  const start = (args: JourneyRunInput) =>
    client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [args],
      signal: journeyEventSignal,
      signalArgs: [event],
      typedSearchAttributes: [
        { key: JourneyId, value: plan.journeyId },
        { key: JourneyVersion, value: String(plan.version) },
        { key: CustomerId, value: customerId },
      ],
      staticSummary: `${plan.name} v${plan.version} for ${customerId}`,
      staticDetails: `journey ${plan.journeyId} version ${plan.version} (plan ${plan.hash.slice(0, 12)}), started by event ${event.type} ${event.id}`,
    });
  if (await serverReportsStarted(client)) {
    // One call: the run looks for an earlier closed run of its id itself when it starts (closedRunChecked unset).
    const { result, started } = await signalWithStartReporting(() => start(input));
    return started ? { ...base, runId: result.signaledRunId, outcome: 'started' } : { ...base, outcome: 'signalled' };
  }
  const { runId, outcome } = await signalOrStart(
    () => client.workflow.getHandle(workflowId).signal(journeyEventSignal, event),
    async () => {
      // A closed run of this id (failed, terminated) may have sent with the keys the new run will use: say so.
      const previousRun = await closedRunOf(client, workflowId);
      return start({ ...input, closedRunChecked: true, ...(previousRun ? { previousRun } : {}) });
    },
  );
  return { ...base, runId, outcome };
}

/** Signals the open run, or starts one with signalWithStart; reports which happened (servers that do not say). */
async function signalOrStart(
  signalOpen: () => Promise<void>,
  start: () => Promise<{ signaledRunId: string }>,
): Promise<{ runId?: string; outcome: 'started' | 'signalled' }> {
  try {
    await signalOpen();
    return { outcome: 'signalled' };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // No open run (never started, or finished): signalWithStart is atomic, so two racing starters end in one run.
  const handle = await start();
  return { runId: handle.signaledRunId, outcome: 'started' };
}

/** The latest run of a workflow id when it is closed (one call, on the start path only), else undefined. */
async function closedRunOf(client: Client, workflowId: string): Promise<JourneyRunInput['previousRun']> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? undefined : { runId: d.runId, status: d.status.name };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The customer's own workflow: every event about them, for global suppression, contact history, score and the facts
 *  a journey run started later reads. */
export async function deliverToCustomer(
  client: Client,
  taskQueue: string,
  event: JourneyEvent,
  defaults: CustomerProfileDefaults = {},
): Promise<CustomerDelivery> {
  const workflowId = customerWorkflowId(event.customerId);
  const start = () => startCustomerWorkflow(client, taskQueue, event.customerId, customerEventSignal, [event], defaults);
  if (await serverReportsStarted(client)) {
    const { result, started } = await signalWithStartReporting(start);
    return started ? { workflowId, runId: result.signaledRunId, outcome: 'started' } : { workflowId, outcome: 'signalled' };
  }
  const { runId, outcome } = await signalOrStart(() => client.workflow.getHandle(workflowId).signal(customerEventSignal, event), start);
  return { workflowId, runId, outcome };
}

/**
 * Routes one event. Two events of one customer are routed one after the other (EventIngest's customer lanes), so a run
 * one of them starts reads its facts after the customer's workflow took the other: a "not routed" answer never races
 * a start in the same API process. An event that may start a run goes to customer:<id> first: when that start is the
 * customer's very first (customer:<id> did not exist), the runs it starts are told there is nothing earlier to read,
 * which spares each of them a query at start, and the journeys it may not start a run in get no call at all (no run
 * of theirs can be open yet: 2 calls for a new customer's promoter answer, not 5). Other events go to the customer and
 * the journeys at once.
 */
export async function routeEvent(
  client: Client,
  taskQueue: string,
  event: JourneyEvent,
  plans: readonly CompiledPlan[],
  opts: {
    referralCodeSecret?: string;
    customerDefaults?: CustomerProfileDefaults;
    /** Where customer:<id> runs (TemporalConfig.customerTaskQueue); default: taskQueue, one queue for both. */
    customerTaskQueue?: string;
  } = {},
): Promise<{ journeys: JourneyDelivery[]; customer: CustomerDelivery }> {
  const targets = routeTargets(event, plans, opts.referralCodeSecret);
  const toJourneys = (firstEvent: boolean) =>
    Promise.all(targets.map((t) => deliverToJourney(client, taskQueue, t, event, opts.referralCodeSecret, { firstEvent })));
  const toCustomer = () => deliverToCustomer(client, opts.customerTaskQueue ?? taskQueue, event, opts.customerDefaults);
  if (targets.some((t) => t.mayStart)) {
    const customer = await toCustomer();
    return { journeys: await toJourneys(customer.outcome === 'started'), customer };
  }
  const [journeys, customer] = await Promise.all([toJourneys(false), toCustomer()]);
  return { journeys, customer };
}

export function startCustomerWorkflow<Arg>(
  client: Client,
  taskQueue: string,
  customerId: string,
  signal: SignalDefinition<[Arg]>,
  signalArgs: [Arg],
  defaults: CustomerProfileDefaults = {},
) {
  return client.workflow.signalWithStart(CUSTOMER_WORKFLOW_TYPE, {
    ...customerStartOptions(customerId, taskQueue, defaults),
    signal,
    signalArgs,
  });
}
