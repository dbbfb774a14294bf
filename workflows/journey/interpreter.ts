// The journey interpreter: one workflow type that runs any compiled plan, pinned in its input. A loop over the
// seven stages (plus suppression), each in its own module; a cycle ends in continue-as-new with carried state.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { PLAN_FORMAT } from '../../definitions/plan.ts';
import { CustomerId, JourneyId, JourneyVersion } from '../../worker/search-attributes.ts';
import { journeyEventSignal, upgradePlanSignal, type JourneyRunInput } from '../messages.ts';
import { iso, stopRequested, track, wake, type RunContext } from './context.ts';
import { takeEvent } from './event-intake.ts';
import { registerOperatorHandlers, snapshot } from './operators.ts';
import { initialState, note, type CarriedState } from './state.ts';
import { carriedState, DEFAULT_HISTORY_LIMIT, handoverDue, PATCH_HANDOVER_IN_EVERY_WAIT } from './handover.ts';
import { asRunFailure, carriedProblems, INTERPRETER_ERROR, sendWindowProblems } from './run-checks.ts';
import { showProgress } from './visibility.ts';
import { flushLedgerReversals } from './reward-ledger.ts';
import { waitUntil } from './waits.ts';
import { adoptReferralCode } from './referral-code.ts';
import { listen } from '../stages/listen.ts';
import { qualify } from '../stages/qualify.ts';
import { invite } from '../stages/invite.ts';
import { activate } from '../stages/activate.ts';
import { reward } from '../stages/reward.ts';
import { flushTracking } from '../stages/track.ts';
import { expand } from '../stages/expand.ts';

function checkInput(input: JourneyRunInput): void {
  const plan = input?.plan;
  const problems: string[] = [];
  if (!plan || typeof plan !== 'object') problems.push('input.plan is missing');
  else {
    if (plan.planFormat !== PLAN_FORMAT)
      problems.push(`input.plan.planFormat is ${JSON.stringify(plan.planFormat)}, this interpreter runs ${PLAN_FORMAT}`);
    if (!plan.definition?.listen?.signals?.length) problems.push('input.plan.definition.listen.signals is empty');
    if (!plan.definition?.motions || typeof plan.definition.motions !== 'object') problems.push('input.plan.definition.motions is missing');
    if (!plan.definition?.suppression || !plan.definition?.qualify || !plan.definition?.track)
      problems.push('input.plan.definition lacks suppression, qualify or track');
  }
  if (typeof input?.customerId !== 'string' || !input.customerId) problems.push('input.customerId is missing');
  problems.push(...carriedProblems(input?.carried));
  // A window that never opens or a zone Intl does not know used to fail (or fall back to UTC) at the first ask.
  if (plan && typeof plan === 'object' && plan.definition?.motions && patched(PATCH_CHECK_SEND_WINDOWS))
    problems.push(...sendWindowProblems(plan));
  if (problems.length) throw ApplicationFailure.nonRetryable(`bad journey input: ${problems.join('; ')}`, 'JourneyBadPlan');
}

/** continue-as-new `inStage`: a handover inside a stage's long wait, which the next run picks up. */
type RunEnd = { kind: 'ended'; reason: string } | { kind: 'continue-as-new'; inStage?: boolean };

const PATCH_CHECK_SEND_WINDOWS = 'input-checks-send-windows';
/** patched() ids: runs from before them complete when they end, and go back to Listen keeping the cycle's asks. */
const PATCH_ENDED_RUN_RESTS = 'ended-run-rests';
const PATCH_LISTEN_AGAIN_RESETS_ASKS = 'listen-again-resets-asks';
/** The smallest history limit a run accepts (a fresh run's first tasks must fit under it, or it would hand over at once). */
const MIN_HISTORY_LIMIT = 40;

export async function advocacyJourney(input: JourneyRunInput): Promise<unknown> {
  checkInput(input);
  const { plan } = input;
  const ctx: RunContext = {
    plan,
    def: plan.definition,
    workflowId: workflowInfo().workflowId,
    now: () => Date.now(),
    state: initialState(plan, input.customerId, input.carried as CarriedState | undefined),
    changes: 0,
    skipRequests: 0,
    tracking: [],
    trackingSeq: (input.carried as CarriedState | undefined)?.trackingSeq ?? 0,
    searchAttributes: input.searchAttributes !== false,
    upserted: new Map(),
    historyLimit: Math.max(MIN_HISTORY_LIMIT, input.continueAsNewAfter ?? DEFAULT_HISTORY_LIMIT),
    handoverInWaits: patched(PATCH_HANDOVER_IN_EVERY_WAIT),
    upgrade: (input.carried as CarriedState | undefined)?.pendingUpgrade,
  };
  adoptReferralCode(ctx.state, input, input.carried !== undefined);
  if (input.previousRun && !ctx.state.previousRun) {
    ctx.state.previousRun = { runId: String(input.previousRun.runId), status: String(input.previousRun.status) };
    note(
      ctx.state,
      ctx.now(),
      `an earlier run of this journey had closed (${ctx.state.previousRun.status}): every send checks for an earlier one first`,
    );
  }
  setHandler(journeyEventSignal, async (event) => {
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
  });
  setHandler(upgradePlanSignal, (next) => takeUpgrade(ctx, next));
  registerOperatorHandlers(ctx);
  if (ctx.searchAttributes) {
    upsertSearchAttributes([
      { key: JourneyId, value: plan.journeyId },
      { key: JourneyVersion, value: String(plan.version) },
      { key: CustomerId, value: input.customerId },
    ]);
  }
  showProgress(ctx);

  for (;;) {
    const end = await runStagesOrFail(ctx);
    if (end.kind === 'ended' && restsWhenEnded(ctx, end.reason)) continue;
    await flushTracking(ctx);
    // Handlers still running (an update mid-way) finish first; signals that arrive now are replayed into this
    // task by the server before continue-as-new completes, so they land in the carried state.
    await condition(allHandlersFinished);
    if (end.kind === 'continue-as-new') {
      // A cancel or exit that came in while the handover waited for handlers ends the run here (the next run would not know it).
      if (ctx.handoverInWaits && ctx.state.stage !== 'ended' && (ctx.cancelRequested || ctx.exitRequested)) continue;
      // A handover inside a stage keeps its version: migrate-at-listen moves only a run that starts at Listen.
      const next = end.inStage ? plan : (ctx.upgrade ?? plan);
      if (next !== plan) note(ctx.state, ctx.now(), `moving from version ${plan.version} to ${next.version} (inFlight: migrate-at-listen)`);
      return await continueAsNew<typeof advocacyJourney>({ ...input, plan: next, carried: carriedState(ctx, end.inStage === true) });
    }
    markEnded(ctx, end.reason);
    showProgress(ctx);
    return snapshot(ctx);
  }
}

function markEnded(ctx: RunContext, reason: string): void {
  ctx.state.stage = 'ended';
  ctx.state.ended = { reason, at: iso(ctx.now()) };
  ctx.state.nextAction = undefined;
}

/**
 * An ended run (maxCycles reached, no re-entry, onTimeout exit, bad-signal exit, operator cancel) does not complete:
 * it rests as a tombstone in stage 'ended', as an opted-out run does, taking events (deduplicated, recorded) and
 * never acting on them, and continues as new when its history grows. A completed run would let the next routed
 * event (signalWithStart on the same workflow id) start a fresh run at cycle 1 with an empty dedup set and the
 * same send keys: the email side would swallow its ask as already sent, or it would ask someone whose journey
 * ended. Making the keys unique per run instead would fix the first and make the second certain, so the run stays.
 * Only terminating the workflow (an explicit operator act in Temporal) lets a customer start the journey afresh.
 * Runs from before patched 'ended-run-rests' complete as they did.
 */
function restsWhenEnded(ctx: RunContext, reason: string): boolean {
  if (!patched(PATCH_ENDED_RUN_RESTS)) return false;
  markEnded(ctx, reason);
  note(ctx.state, ctx.now(), `journey ended: ${reason}; the run stays so that new events never restart it`);
  return true;
}

/**
 * runStages, with an error the interpreter did not expect ending the journey where it happened: the run rests as a
 * tombstone (restsWhenEnded) with the reason in its state and details, as an ended run does. A failed run would
 * close, and the next routed event would start cycle 1 afresh with the same send keys (the first ask sent again).
 * An error inside the tombstone itself still fails the run (nothing is left to rest on), with a reason that says
 * where, never a workflow task retried forever.
 */
async function runStagesOrFail(ctx: RunContext): Promise<RunEnd> {
  const where = `interpreter error in stage ${ctx.state.stage}${ctx.state.motion ? ` (motion ${ctx.state.motion})` : ''}`;
  try {
    return await runStages(ctx);
  } catch (err) {
    const failure = asRunFailure(err, where);
    if (!(failure instanceof ApplicationFailure) || failure.type !== INTERPRETER_ERROR || ctx.state.stage === 'ended') throw failure;
    return { kind: 'ended', reason: failure.message };
  }
}

/**
 * Back to Listen in the middle of a cycle after asks went out (a hold's cool-down is over, or no ask can go out):
 * the held cycle is over. The next delight starts a new cycle (a new number, so new send keys the email side has
 * not seen) with a first ask, and Activate counts from that ask. The held cycle's start counts for the re-entry
 * interval. Runs from before patched 'listen-again-resets-asks' kept the old asks (the next delight sent a
 * reminder or nothing, and Activate timed out at once).
 */
function listenAgain(ctx: RunContext, why: string): void {
  const { state } = ctx;
  state.stage = 'listen';
  if (state.asks.length === 0 && state.attempts === 0) return;
  if (!patched(PATCH_LISTEN_AGAIN_RESETS_ASKS)) return;
  note(state, ctx.now(), `cycle ${state.cycle} over early (${why}); the next delight starts cycle ${state.cycle + 1} with a first ask`);
  if (state.cycleStartedAt) state.lastCycleStartedAt = state.cycleStartedAt;
  state.cycle++;
  state.attempts = 0;
  state.asks = [];
  state.motion = undefined;
  state.delight = undefined;
  state.qualification = undefined;
}

function takeUpgrade(ctx: RunContext, next: JourneyRunInput['plan']): void {
  if (next?.journeyId !== ctx.plan.journeyId || !(next.version > ctx.plan.version)) {
    note(ctx.state, ctx.now(), `upgrade to ${next?.journeyId} v${next?.version} ignored: not a newer version of this journey`);
    return;
  }
  if (next.definition.inFlight !== 'migrate-at-listen') {
    note(ctx.state, ctx.now(), `version ${next.version} deployed; this run finishes on version ${ctx.plan.version} (inFlight: finish)`);
    return;
  }
  ctx.upgrade = next;
  ctx.state.pendingPlan = { version: next.version, hash: next.hash };
  ctx.changes++;
}

function endReason(ctx: RunContext): string {
  if (ctx.cancelRequested) return `cancelled: ${ctx.cancelRequested.reason}`;
  if (ctx.exitRequested) return `exit: ${ctx.exitRequested.reason}`;
  return 'ended';
}

/** One cycle (Listen → … → Expand), or as much of it as happens before the run ends or continues as new. */
async function runStages(ctx: RunContext): Promise<RunEnd> {
  const { state } = ctx;
  let action: Parameters<typeof reward>[1] | undefined;
  let shownStage = state.stage;
  for (;;) {
    // A new stage has no next action until it sets one: an operator must not read the last stage's wait as this
    // one's (e.g. Track's writes after Reward's window), nor skip it. State only: no command depends on it.
    if (state.stage !== shownStage) {
      state.nextAction = undefined;
      shownStage = state.stage;
    }
    showProgress(ctx);
    if (state.stage !== 'ended' && (ctx.cancelRequested || ctx.exitRequested)) return { kind: 'ended', reason: endReason(ctx) };
    if (state.suppression.optedOut && state.stage !== 'opted-out' && state.stage !== 'ended') {
      state.stage = 'opted-out';
      continue;
    }
    switch (state.stage) {
      case 'listen': {
        const r = await listen(ctx);
        if (r.kind === 'stopped') continue;
        if (r.kind === 'upgrade' || r.kind === 'continue-as-new') return { kind: 'continue-as-new' };
        state.delight = { signal: r.signal.id, eventId: r.event.id, at: iso(ctx.now()), data: r.event.data };
        state.cycleStartedAt = iso(ctx.now());
        state.stage = 'qualify';
        break;
      }
      case 'qualify': {
        const motion = await qualify(ctx);
        state.motion = motion;
        state.stage = motion ? 'invite' : 'listen';
        break;
      }
      case 'invite': {
        const r = await invite(ctx);
        if (r === 'stopped') continue;
        if (r === 'handover') return { kind: 'continue-as-new', inStage: true };
        if (r === 'cannot-ask') listenAgain(ctx, 'no ask can go out');
        else state.stage = r === 'suppressed' ? 'suppressed' : 'activate';
        break;
      }
      case 'activate': {
        const r = await activate(ctx);
        if (r.kind === 'stopped') continue;
        if (r.kind === 'handover') return { kind: 'continue-as-new', inStage: true };
        if (r.kind === 'timeout') {
          if (r.then === 'exit')
            return { kind: 'ended', reason: `no action within ${ctx.def.motions[state.motion!].activate.timeout} (onTimeout: exit)` };
          return endCycle(ctx);
        }
        action = r.event;
        state.stage = 'reward';
        break;
      }
      case 'reward':
        if (action) await reward(ctx, action);
        state.stage = 'track';
        break;
      case 'track':
        await flushTracking(ctx);
        state.stage = 'expand';
        break;
      case 'expand': {
        const r = await expand(ctx);
        // A cancel or exit while resting ends the run; it used to continue as new (and the next run forgot it).
        if ((ctx.cancelRequested || ctx.exitRequested) && patched('stop-in-expand-ends-run')) continue;
        if (r.kind === 'handover') return { kind: 'continue-as-new', inStage: true };
        if (r.kind === 'cycle-end') return endCycle(ctx);
        note(state, ctx.now(), `promoted to ${r.motion}: ${r.reason}`);
        state.motion = r.motion;
        state.delight = { signal: 'promotion', eventId: '', at: iso(ctx.now()), data: {} };
        state.attempts = 0;
        state.asks = [];
        state.stage = 'invite';
        break;
      }
      case 'suppressed': {
        const hold = state.suppression.hold;
        const until = hold ? Date.parse(hold.until) : ctx.now();
        if (ctx.now() < until && !stopRequested(ctx)) {
          if ((await waitUntil(ctx, until, `cool-down: ${hold!.reason}`, undefined, false, true)) === 'handover')
            return { kind: 'continue-as-new', inStage: true };
          break;
        }
        listenAgain(ctx, `cool-down after ${hold?.rule ?? 'a hold'} over`);
        break;
      }
      case 'opted-out':
        // No more asks, for good. The run stays to keep the opt-out (new events would otherwise start a fresh run).
        if (handoverDue(ctx)) return { kind: 'continue-as-new' };
        await waitUntil(ctx, undefined, 'opted out: no asks', () => Boolean(ctx.cancelRequested) || handoverDue(ctx), true);
        if (ctx.cancelRequested) return { kind: 'ended', reason: endReason(ctx) };
        break;
      case 'ended':
        // The tombstone (restsWhenEnded): writes what late events queued, hands over when its history grows.
        await flushTracking(ctx);
        if (handoverDue(ctx)) return { kind: 'continue-as-new' };
        await waitUntil(
          ctx,
          undefined,
          `ended: ${state.ended?.reason ?? 'ended'}`,
          () => ctx.tracking.length > 0 || handoverDue(ctx),
          true,
        );
        break;
      default:
        throw ApplicationFailure.nonRetryable(`interpreter reached unknown stage ${JSON.stringify(state.stage)}`, 'JourneyInterpreterBug');
    }
  }
}

function endCycle(ctx: RunContext): RunEnd {
  const { state } = ctx;
  state.history.cycles++;
  state.lastCycleStartedAt = state.cycleStartedAt;
  track(ctx, 'cycle.completed', { cycle: state.cycle });
  const reentry = ctx.def.listen.reentry;
  if (!reentry?.allowed) return { kind: 'ended', reason: `cycle ${state.cycle} done; re-entry not allowed` };
  if (reentry.maxCycles !== undefined && state.history.cycles >= reentry.maxCycles) {
    return { kind: 'ended', reason: `cycle ${state.cycle} done; ${reentry.maxCycles} cycles is the most` };
  }
  state.cycle++;
  state.motion = undefined;
  state.delight = undefined;
  state.qualification = undefined;
  return { kind: 'continue-as-new' };
}
