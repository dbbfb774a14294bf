// A fresh run's first step (patch journey-start-reads-customer-facts): read from customer:<id> what happened before
// the run existed, and apply it through this plan's own rules as of the time it happened. The API starts a run only
// with an event that can open a cycle (api/routing.ts), so a detractor's hold, an open escalation, a bounce or an
// opt-out that came earlier reached only the customer's workflow; without this step the run would not know them.
// Events that arrive while the facts are read wait (heldForStartFacts) and are taken after them, in order, so an
// escalation resolved now is never applied before the opening it resolves.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { FactEvent, JourneyActivities, JourneyEvent, JourneyRunInput } from '../contract/index.ts';
import { failureMessage } from './activities.ts';
import type { RunContext } from './context.ts';
import { alreadySeen, applyStandingRules } from './event-intake.ts';
import { refusalOf } from './event-check.ts';
import { recordNpsAnswer } from './nps.ts';
import { note } from './state.ts';
import { optOut } from './suppression.ts';

type StartFactsReading = Awaited<ReturnType<JourneyActivities['readCustomerStartFacts']>>;

/** A query answered by the same worker pool: quick attempts, then up to about five minutes. Past that the run goes on
 *  without the facts and says so; customer:<id> still refuses every contact slot while it holds the customer back
 *  (opt-out, holds, open escalations: workflows/customer/global-suppression.ts), so no ask breaks those rules. */
const reader = proxyLocalActivities<Pick<JourneyActivities, 'readCustomerStartFacts'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 9 },
});

export async function readStartFacts(ctx: RunContext, input: JourneyRunInput): Promise<StartFactsReading | undefined> {
  if (input.firstEventOfCustomer) {
    note(ctx.state, ctx.now(), "started by the customer's first event: no earlier facts to read");
    return undefined;
  }
  try {
    return await reader.readCustomerStartFacts({
      customerId: input.customerId,
      ...(input.closedRunChecked ? {} : { lookForClosedRunOf: ctx.workflowId }),
    });
  } catch (err) {
    note(ctx.state, ctx.now(), `could not read the customer's facts, going on without them: ${failureMessage(err)}`);
    return undefined;
  }
}

/** Applies the reading: the closed run before this one, the customer's traits and global opt-out, then each kept event
 *  (not one of `live`, which the run takes in full next) with the clock at its time. Facts write no tracking records:
 *  they happened before this run, and the API recorded what the report needs of them (api/tracked-events.ts). */
export function adoptStartFacts(ctx: RunContext, reading: StartFactsReading | undefined, live: readonly JourneyEvent[]): void {
  if (!reading) return;
  if (reading.previousRun && !ctx.state.previousRun) {
    ctx.state.previousRun = reading.previousRun;
    note(
      ctx.state,
      ctx.now(),
      `an earlier run of this journey had closed (${reading.previousRun.status}): every send checks for an earlier one first`,
    );
  }
  if (reading.previousRunUnknown) note(ctx.state, ctx.now(), reading.previousRunUnknown);
  const facts = reading.facts;
  if (!facts) {
    note(ctx.state, ctx.now(), `no facts to read from the customer's workflow: ${reading.missing ?? 'none'}`);
    return;
  }
  ctx.state.traits = { ...facts.traits, ...ctx.state.traits };
  if (facts.optedOut) {
    const source = facts.optedOut.by ? 'operator' : 'contact-policy';
    optOut(ctx, `opted out everywhere before this run: ${facts.optedOut.reason}`, source, facts.optedOut.by);
  }
  const liveIds = new Set(live.map((e) => e.id));
  const clock = ctx.now;
  const queued = ctx.tracking.length;
  const seq = ctx.trackingSeq;
  let applied = 0;
  try {
    for (const fact of facts.events) {
      if (liveIds.has(fact.id) || Date.parse(fact.at) > clock()) continue;
      const event = asEvent(ctx, fact);
      if (refusalOf(ctx, event) || alreadySeen(ctx, fact.id)) continue;
      ctx.now = () => Date.parse(fact.at);
      recordNpsAnswer(ctx, event);
      applyStandingRules(ctx, event);
      applied++;
    }
  } finally {
    ctx.now = clock;
    ctx.tracking.length = queued;
    ctx.trackingSeq = seq;
  }
  note(
    ctx.state,
    ctx.now(),
    `read ${facts.events.length} earlier events from customer:${facts.customerId}; ${applied} apply to this journey`,
  );
}

function asEvent(ctx: RunContext, fact: FactEvent): JourneyEvent {
  return { id: fact.id, type: fact.type, customerId: ctx.state.customerId, occurredAt: fact.at, data: fact.data };
}
