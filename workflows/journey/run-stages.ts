// The stage loop of one run: Listen → Qualify → Invite → Activate → Reward → Track → Expand, and the resting stages
// (a cool-down, opted out, ended), until the run ends or hands over to a fresh history (continue-as-new).
import { ApplicationFailure } from '@temporalio/workflow';
import type { JourneyEvent } from '../contract/index.ts';
import { iso, stopRequested, track, type RunContext } from './context.ts';
import { handoverDue } from './handover.ts';
import { assignForCycle } from './experiment.ts';
import { asRunFailure, INTERPRETER_ERROR } from './run-checks.ts';
import { note } from './state.ts';
import { showProgress } from './visibility.ts';
import { waitUntil } from './waits.ts';
import { listen } from '../stages/listen.ts';
import { qualify } from '../stages/qualify.ts';
import { invite } from '../stages/invite.ts';
import { activate } from '../stages/activate.ts';
import { reward } from '../stages/reward.ts';
import { flushTracking } from '../stages/track.ts';
import { expand } from '../stages/expand.ts';
import { withdrawPrompts } from './prompts.ts';
import { honourActionsBeforeOptOut } from './opt-out-honour.ts';

/** continue-as-new `inStage`: a handover inside a stage's long wait, which the next run picks up. */
export type RunEnd = { kind: 'ended'; reason: string } | { kind: 'continue-as-new'; inStage?: boolean };

const HANDOVER_IN_STAGE: RunEnd = { kind: 'continue-as-new', inStage: true };

/** runStages, with an unexpected error ending the journey where it happened (below), never a workflow task retried forever. */
export async function runStagesOrFail(ctx: RunContext): Promise<RunEnd> {
  const where = `interpreter error in stage ${ctx.state.stage}${ctx.state.motion ? ` (motion ${ctx.state.motion})` : ''}`;
  try {
    return await runStages(ctx);
  } catch (err) {
    // An error the interpreter did not expect ends the journey where it happened: the run rests as a tombstone with
    // the reason in its state and details, as an ended run does. A failed run would close, and the next routed
    // event would start cycle 1 afresh with the same send keys (the first ask sent again). An error inside the
    // tombstone itself still fails the run (nothing is left to rest on), never a workflow task retried forever.
    const failure = asRunFailure(err, where);
    if (!(failure instanceof ApplicationFailure) || failure.type !== INTERPRETER_ERROR || ctx.state.stage === 'ended') throw failure;
    return { kind: 'ended', reason: failure.message };
  }
}

export function endReason(ctx: RunContext): string {
  if (ctx.cancelRequested) return `cancelled: ${ctx.cancelRequested.reason}`;
  if (ctx.exitRequested) return `exit: ${ctx.exitRequested.reason}`;
  return 'ended';
}

/** One cycle (Listen → … → Expand), or as much of it as happens before the run ends or continues as new. */
async function runStages(ctx: RunContext): Promise<RunEnd> {
  const { state } = ctx;
  let action: JourneyEvent | undefined;
  let shownStage = state.stage;
  for (;;) {
    // A new stage has no next action until it sets one: an operator must not read the last stage's wait as this
    // one's (e.g. Track's writes after Reward's window), nor skip it. State only: no command depends on it.
    if (state.stage !== shownStage) {
      state.nextAction = undefined;
      shownStage = state.stage;
    }
    showProgress(ctx);
    // A prompt is the ask of Invite and Activate: once the cycle moves on (the advocate acted, the ask's time ran
    // out, a hold ended the cycle), it is no longer current.
    if (state.prompts?.length && state.stage !== 'invite' && state.stage !== 'activate')
      withdrawPrompts(ctx, state.stage === 'reward' ? 'the advocate acted' : `the ask's cycle moved on (${state.stage})`);
    if (state.stage !== 'ended' && (ctx.cancelRequested || ctx.exitRequested)) return { kind: 'ended', reason: endReason(ctx) };
    if (state.suppression.optedOut && state.stage !== 'opted-out' && state.stage !== 'ended') {
      // What the customer did before the opt-out is honoured (rewarded, nothing sent) or recorded, never lost.
      if ((await honourActionsBeforeOptOut(ctx, action)) === 'handover') return HANDOVER_IN_STAGE;
      action = undefined;
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
        const qualified = await qualify(ctx);
        const motion = qualified && assignForCycle(ctx, qualified);
        state.motion = motion;
        state.stage = motion ? 'invite' : 'listen';
        break;
      }
      case 'invite': {
        const r = await invite(ctx);
        if (r === 'stopped') continue;
        if (r === 'handover') return HANDOVER_IN_STAGE;
        if (r === 'cannot-ask') listenAgain(ctx, 'no ask can go out');
        else if (r === 'owner-declined' || r === 'owner-no-answer') {
          const end = ownerTaskFallback(ctx, r === 'owner-declined' ? 'onDeclined' : 'onNoAnswer');
          if (end) return end;
        } else state.stage = r === 'suppressed' ? 'suppressed' : 'activate';
        break;
      }
      case 'activate': {
        const r = await activate(ctx);
        if (r.kind === 'stopped') continue;
        if (r.kind === 'handover') return HANDOVER_IN_STAGE;
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
        // A run that took over a held reward (a handover in the middle of a hold) has no action of its own: it releases them.
        if ((await reward(ctx, action)) === 'handover') return HANDOVER_IN_STAGE;
        action = undefined;
        state.stage = 'track';
        break;
      case 'track':
        // Every fact of the cycle is already written, as it happened (stages/track.ts); a run from 1.0.0 writes here.
        if (!ctx.trackingLive) await flushTracking(ctx);
        state.stage = 'expand';
        break;
      case 'expand': {
        const r = await expand(ctx);
        // A cancel or exit while resting ends the run.
        if (ctx.cancelRequested || ctx.exitRequested) continue;
        if (r.kind === 'handover') return HANDOVER_IN_STAGE;
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
          if ((await waitUntil(ctx, `cool-down: ${hold!.reason}`, { until, mayHandOver: true })) === 'handover') return HANDOVER_IN_STAGE;
          break;
        }
        listenAgain(ctx, `cool-down after ${hold?.rule ?? 'a hold'} over`);
        break;
      }
      case 'opted-out':
        // No more asks, for good. The run stays to keep the opt-out (new events would otherwise start a fresh run).
        if (handoverDue(ctx)) return { kind: 'continue-as-new' };
        await waitUntil(ctx, 'opted out: no asks', {
          alsoWakeOn: () => Boolean(ctx.cancelRequested) || handoverDue(ctx) || !state.suppression.optedOut,
          whileStopped: true,
        });
        if (ctx.cancelRequested) return { kind: 'ended', reason: endReason(ctx) };
        // Opted back in (the recipient undid their unsubscribe): the cycle is over, the next delight starts one.
        if (!state.suppression.optedOut) {
          ctx.optOutApplied = false;
          listenAgain(ctx, 'opted back in');
        }
        break;
      case 'ended':
        // The tombstone (journey/interpreter.ts): takes late events (their records are written as they come; a run
        // from 1.0.0 writes them here), hands over when its history grows.
        if (!ctx.trackingLive) await flushTracking(ctx);
        if (handoverDue(ctx)) return { kind: 'continue-as-new' };
        await waitUntil(ctx, `ended: ${state.ended?.reason ?? 'ended'}`, {
          alsoWakeOn: () => (!ctx.trackingLive && ctx.tracking.length > 0) || handoverDue(ctx),
          whileStopped: true,
        });
        break;
      default:
        throw ApplicationFailure.nonRetryable(`interpreter reached unknown stage ${JSON.stringify(state.stage)}`, 'JourneyInterpreterBug');
    }
  }
}

/**
 * Back to Listen in the middle of a cycle after asks went out (a hold's cool-down is over, or no ask can go out):
 * the held cycle is over. The next delight starts a new cycle (a new number, so new send keys the email side has
 * not seen) with a first ask, and Activate counts from that ask. The held cycle's start counts for the re-entry interval.
 */
function listenAgain(ctx: RunContext, why: string): void {
  const { state } = ctx;
  state.stage = 'listen';
  if (state.asks.length === 0 && state.attempts === 0) return;
  note(state, ctx.now(), `cycle ${state.cycle} over early (${why}); the next delight starts cycle ${state.cycle + 1} with a first ask`);
  if (state.cycleStartedAt) state.lastCycleStartedAt = state.cycleStartedAt;
  state.cycle++;
  state.attempts = 0;
  state.asks = [];
  state.motion = undefined;
  state.delight = undefined;
  state.qualification = undefined;
}

/**
 * The owner declined the cycle's owner task, or did not answer in time: the plan's invite.ownerTask says what now.
 * A fallback motion runs in the same cycle with its own invite (its first ask counted from now); the compiler
 * rules out fallbacks that go round in a circle. Returns how the run ends, or undefined to go on (the fallback).
 */
function ownerTaskFallback(ctx: RunContext, which: 'onDeclined' | 'onNoAnswer'): RunEnd | undefined {
  const { state } = ctx;
  const plan = ctx.def.motions[state.motion!].invite.ownerTask!;
  const outcome = plan[which];
  const what = which === 'onDeclined' ? 'the owner declined the task' : `the owner did not answer within ${plan.answerWithin}`;
  if (outcome.then === 'exit') return { kind: 'ended', reason: `${what} (ownerTask.${which}: exit)` };
  if (outcome.then === 'end-cycle' || !outcome.motion) {
    note(state, ctx.now(), `${what}: cycle ${state.cycle} ends (ownerTask.${which}: end-cycle)`);
    return endCycle(ctx);
  }
  note(state, ctx.now(), `${what}: falling back to ${outcome.motion} (ownerTask.${which})`);
  track(ctx, 'motion.fallback', { from: state.motion, to: outcome.motion, because: which === 'onDeclined' ? 'declined' : 'no-answer' });
  state.motion = outcome.motion;
  state.delight = { ...state.delight!, at: iso(ctx.now()) };
  state.attempts = 0;
  state.asks = [];
  state.stage = 'invite';
  return undefined;
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
