// The journey interpreter: one workflow type that runs any compiled plan, pinned in its input. A loop over the
// seven stages (plus suppression), each in its own module (journey/run-stages.ts); a cycle ends in continue-as-new
// with carried state, and so does a handover to a fresh history from any long wait (journey/handover.ts).
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { isPatched, pathsMarkedOnce } from './patch-check.ts';
import { journeyEventSignal, upgradePlanSignal, type JourneyEvent, type JourneyRunInput } from '../contract/index.ts';
import { iso, trackIfLive, wake, type RunContext } from './context.ts';
import { takeEvent } from './event-intake.ts';
import { registerOperatorHandlers } from './operators.ts';
import { initialState, note, type CarriedState } from './state.ts';
import { carriedState, DEFAULT_HISTORY_LIMIT } from './handover.ts';
import { asRunFailure, checkInput, INTERPRETER_ERROR } from './run-checks.ts';
import { showProgress, showRunStart } from './visibility.ts';
import { flushLedgerReversals } from './reward-ledger.ts';
import { adoptReferralCode } from './referral-code.ts';
import { takeUpgrade } from './plan-upgrade.ts';
import { runStagesOrFail } from './run-stages.ts';
import { closeTracking, flushTracking, newTrackingWriter, startTrackingWriter, trackingSettled } from '../stages/track.ts';
import { startReleaseWatcher } from './suppression-release.ts';
import {
  PATCH_EXPERIMENT_ARMS,
  PATCH_JOURNEY_BOOKKEEPING_BATCHED,
  PATCH_JOURNEY_START_READS_CUSTOMER_FACTS,
  PATCH_OWNER_TASK_OUTCOME,
  PATCH_TRACKING_WRITTEN_LIVE,
} from '../patches.ts';
import { adoptStartFacts, readStartFacts } from './start-facts.ts';
import { referrerUpdatesSettled, startReferrerUpdates } from './referrer-updates.ts';
import { registerPromptQuery } from './prompt-query.ts';
import { settleCrmReferralWriter, startCrmReferralWriter } from './crm-referrals.ts';

/** The smallest history limit a run accepts (a fresh run's first tasks must fit under it, or it would hand over at once). */
const MIN_HISTORY_LIMIT = 40;

export async function advocacyJourney(input: JourneyRunInput): Promise<unknown> {
  checkInput(input);
  const { plan } = input;
  const carried = input.carried as CarriedState | undefined;
  // Before any other patch is asked: whether this history carries one marker for every 1.1.0 patch.
  const marked = { pathsMarkedOnce: pathsMarkedOnce() };
  const ctx: RunContext = {
    ...marked,
    plan,
    def: plan.definition,
    workflowId: workflowInfo().workflowId,
    now: () => Date.now(),
    state: initialState(plan, input.customerId, carried),
    changes: 0,
    skipRequests: 0,
    // Records the previous run of the chain had not written yet: first in line, keys unchanged.
    tracking: [...(carried?.pendingTracking ?? [])],
    trackingSeq: carried?.trackingSeq ?? 0,
    trackingWriter: newTrackingWriter(),
    trackingLive: isPatched(marked, PATCH_TRACKING_WRITTEN_LIVE),
    ownerTasks: isPatched(marked, PATCH_OWNER_TASK_OUTCOME),
    chainId: workflowInfo().firstExecutionRunId.slice(0, 8),
    searchAttributes: input.searchAttributes !== false,
    upserted: new Map(),
    // Asked before the run's first upsert (showRunStart below), since it decides how that upsert goes out.
    bookkeepingBatched: isPatched(marked, PATCH_JOURNEY_BOOKKEEPING_BATCHED),
    historyLimit: Math.max(MIN_HISTORY_LIMIT, input.continueAsNewAfter ?? DEFAULT_HISTORY_LIMIT),
    upgrade: carried?.pendingUpgrade,
    // Asked only of a plan with an experiment, so no history without one gains a marker.
    experiments: plan.definition.experiment ? isPatched(marked, PATCH_EXPERIMENT_ARMS) : false,
  };
  adoptReferralCode(ctx.state, input);
  if (input.previousRun && !ctx.state.previousRun) {
    ctx.state.previousRun = { runId: String(input.previousRun.runId), status: String(input.previousRun.status) };
    note(
      ctx.state,
      ctx.now(),
      `an earlier run of this journey had closed (${ctx.state.previousRun.status}): every send checks for an earlier one first`,
    );
  }
  // A fresh run reads the customer's facts first (journey/start-facts.ts); events that come meanwhile wait for them.
  let heldForStartFacts: JourneyEvent[] | undefined = !carried && isPatched(ctx, PATCH_JOURNEY_START_READS_CUSTOMER_FACTS) ? [] : undefined;
  const onEvent = async (event: JourneyEvent) => {
    try {
      takeEvent(ctx, event);
    } catch (err) {
      const failure = asRunFailure(err, `journeyEvent ${JSON.stringify((event as { id?: unknown })?.id)}`);
      if (!(failure instanceof ApplicationFailure) || failure.type !== INTERPRETER_ERROR) throw failure;
      // As in runStagesOrFail: the journey ends here and the run rests as a tombstone, rather than failing and
      // letting the next event start it afresh.
      ctx.exitRequested ??= { reason: failure.message };
      wake(ctx);
      return;
    }
    if (ctx.state.stage !== 'ended') showProgress(ctx);
    // A reversal the policy accepted reaches the customer ledger now (the run may be waiting for months).
    if (ctx.ledgerReversals?.length) await flushLedgerReversals(ctx);
  };
  setHandler(journeyEventSignal, async (event) => {
    if (heldForStartFacts) heldForStartFacts.push(event);
    else await onEvent(event);
  });
  setHandler(upgradePlanSignal, (next) => takeUpgrade(ctx, next));
  registerOperatorHandlers(ctx);
  registerPromptQuery(ctx);
  showRunStart(ctx);
  showProgress(ctx);
  if (ctx.trackingLive) {
    startTrackingWriter(ctx);
    startReleaseWatcher(ctx);
    startReferrerUpdates(ctx);
  }
  if (ctx.ownerTasks) startCrmReferralWriter(ctx);
  if (heldForStartFacts) {
    const reading = await readStartFacts(ctx, input);
    adoptStartFacts(ctx, reading, heldForStartFacts);
    const live = heldForStartFacts;
    heldForStartFacts = undefined;
    for (const event of live) await onEvent(event);
    showProgress(ctx);
  }

  for (;;) {
    const end = await runStagesOrFail(ctx);
    if (end.kind === 'ended') {
      restAsTombstone(ctx, end.reason);
      continue;
    }
    // Live tracking: the write in flight finishes (a failing sink is not waited for), and what is still queued then
    // goes with the carried state, also what handlers finishing now queue. Handlers still running (an update
    // mid-way) finish first; signals that arrive now are replayed into this task by the server before
    // continue-as-new completes, so they land in the carried state.
    if (ctx.trackingLive) await trackingSettled(ctx);
    else await flushTracking(ctx);
    await condition(allHandlersFinished);
    if (ctx.trackingLive) await trackingSettled(ctx);
    // A cancel or exit that came in while the handover waited for handlers ends the run here (the next run would not know it).
    if (ctx.state.stage !== 'ended' && (ctx.cancelRequested || ctx.exitRequested)) continue;
    // A handover inside a stage keeps its version: migrate-at-listen moves only a run that starts at Listen.
    const next = end.inStage ? plan : (ctx.upgrade ?? plan);
    if (next !== plan) note(ctx.state, ctx.now(), `moving from version ${plan.version} to ${next.version} (inFlight: migrate-at-listen)`);
    // A referrer update in flight finishes (its records then travel as pending tracking); the queue is carried.
    await referrerUpdatesSettled(ctx);
    closeTracking(ctx);
    if (ctx.ownerTasks) await settleCrmReferralWriter(ctx);
    return await continueAsNew<typeof advocacyJourney>({ ...input, plan: next, carried: carriedState(ctx, end.inStage === true) });
  }
}

/**
 * An ended run (maxCycles reached, no re-entry, onTimeout exit, bad-signal exit, operator cancel) does not complete:
 * it rests as a tombstone in stage 'ended', as an opted-out run does, taking events (deduplicated, recorded) and
 * never acting on them, and continues as new when its history grows or an operator hands it over. A completed run
 * would let the next routed event (signalWithStart on the same workflow id) start a fresh run at cycle 1 with an
 * empty dedup set and the same send keys: the email side would swallow its ask as already sent, or it would ask
 * someone whose journey ended. Making the keys unique per run instead would fix the first and make the second
 * certain, so the run stays. Only terminating the workflow (an explicit operator act in Temporal) lets a customer
 * start the journey afresh.
 */
function restAsTombstone(ctx: RunContext, reason: string): void {
  ctx.state.stage = 'ended';
  ctx.state.ended = { reason, at: iso(ctx.now()) };
  ctx.state.nextAction = undefined;
  note(ctx.state, ctx.now(), `journey ended: ${reason}; the run stays so that new events never restart it`);
  trackIfLive(ctx, 'journey.ended', { reason });
}
