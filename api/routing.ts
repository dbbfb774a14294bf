// Where one accepted event goes: (1) every active journey whose routing names its type, as a signal to the
// run journey:<journeyId>:<customerId> (started with the plan pinned if not running); (2) separately, the
// customer's own workflow customer:<id>. Conversion events about a referred person go to the referrer's run, and
// only to a run that is open: a conversion or reversal never starts a run (the journey never asked for it).
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

export type RoutingRole = keyof CompiledPlan['routing'];
const ROLES: RoutingRole[] = ['listen', 'suppress', 'actions', 'conversions', 'reversals', 'ownerTasks'];
/** Roles whose events are about a referred person and belong to the referrer's run. */
const REFERRER_ROLES: RoutingRole[] = ['conversions', 'reversals'];
/** Roles whose events only act on a run in flight, never starting one: referral outcomes, an owner's answer to a task. */
const SIGNAL_ONLY_ROLES: RoutingRole[] = [...REFERRER_ROLES, 'ownerTasks'];

export interface JourneyDelivery {
  journeyId: string;
  version: number;
  workflowId: string;
  /** The run that was started; absent when an open run was signalled (it keeps its own run id). */
  runId?: string;
  roles: RoutingRole[];
  /** started: no run was open, one started with this event; signalled: the open run received it; not-routed: a
   *  conversion or reversal for which no run is open (it is never started by one; see `reason`). */
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
  /** Only conversion/reversal roles: signal an open run, never start one. */
  signalOnly: boolean;
}

/** The referrer an event names for one journey: data.referrerId, else the advocate whose referral code (minted by
 *  this journey, or an old `ref_` code) data.referralCode is. */
function referrerFor(event: JourneyEvent, journeyId: string, code: ReturnType<typeof resolveReferralCode>): string | undefined {
  const { referrerId } = event.data ?? {};
  if (typeof referrerId === 'string' && referrerId) return referrerId;
  if (code && (code.legacy || code.journeyId === journeyId)) return code.customerId;
  return undefined;
}

/** The journeys an event reaches, pure: active plans whose routing names the type. */
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
  return active
    .map((plan) => ({ plan, roles: ROLES.filter((role) => plan.routing[role]?.includes(event.type)) }))
    .filter(({ roles }) => roles.length > 0)
    .map(({ plan, roles }) => {
      const referrer = referrerFor(event, plan.journeyId, code);
      return {
        plan,
        roles,
        customerId: referrer && roles.some((r) => REFERRER_ROLES.includes(r)) ? referrer : event.customerId,
        signalOnly: roles.every((r) => SIGNAL_ONLY_ROLES.includes(r)),
      };
    });
}

/** Signals the open run, or starts one with signalWithStart; reports which happened. */
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

export async function deliverToJourney(
  client: Client,
  taskQueue: string,
  target: RouteTarget,
  event: JourneyEvent,
  referralCodeSecret = DEV_REFERRAL_CODE_SECRET,
): Promise<JourneyDelivery> {
  const { plan, customerId, roles } = target;
  const workflowId = journeyWorkflowId(plan.journeyId, customerId);
  if (target.signalOnly) {
    try {
      await client.workflow.getHandle(workflowId).signal(journeyEventSignal, event);
      return { journeyId: plan.journeyId, version: plan.version, workflowId, roles, outcome: 'signalled' };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return {
        journeyId: plan.journeyId,
        version: plan.version,
        workflowId,
        roles,
        outcome: 'not-routed',
        reason: `no open run ${workflowId}: ${roles.join('/')} events only reach a run that asked for the referral`,
      };
    }
  }
  const input: JourneyRunInput = { plan, customerId, referralCode: mintReferralCode(referralCodeSecret, plan.journeyId, customerId) };
  const { runId, outcome } = await signalOrStart(
    () => client.workflow.getHandle(workflowId).signal(journeyEventSignal, event),
    async () => {
      // A closed run of this id (failed, terminated) may have sent with the keys the new run will use: say so.
      const previousRun = await closedRunOf(client, workflowId);
      return client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        args: [previousRun ? { ...input, previousRun } : input],
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
    },
  );
  return { journeyId: plan.journeyId, version: plan.version, workflowId, runId, roles, outcome };
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

/** The customer's own workflow: every event about them, for global suppression, contact history and score. */
export async function deliverToCustomer(
  client: Client,
  taskQueue: string,
  event: JourneyEvent,
  defaults: CustomerProfileDefaults = {},
): Promise<CustomerDelivery> {
  const workflowId = customerWorkflowId(event.customerId);
  const { runId, outcome } = await signalOrStart(
    () => client.workflow.getHandle(workflowId).signal(customerEventSignal, event),
    () => startCustomerWorkflow(client, taskQueue, event.customerId, customerEventSignal, [event], defaults),
  );
  return { workflowId, runId, outcome };
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
