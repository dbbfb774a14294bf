// Operator Updates (pause, resume, opt out, skip the current wait, cancel the run, hand over to a fresh history) and
// the journeyState Query.
// Validators reject what cannot apply with an ApplicationFailure, so a rejected update leaves no trace in history.
import {
  cancelRunUpdate,
  handOverUpdate,
  journeyStateQuery,
  optInUpdate,
  optOutUpdate,
  pauseUpdate,
  UNSUBSCRIBE_LINK_ACTOR,
  resumeUpdate,
  skipWaitUpdate,
  type OperatorAction,
  type JourneySnapshot,
  operatorActionProblem,
} from '../contract/index.ts';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { iso, track, wake, type RunContext } from './context.ts';
import { note } from './state.ts';
import { askHold, cancelPendingAsk, optOut } from './suppression.ts';
import { showProgress } from './visibility.ts';

function reject(message: string): never {
  throw ApplicationFailure.create({ message, type: 'OperatorActionRejected', nonRetryable: true });
}

function validAction(action: OperatorAction | undefined): void {
  const problem = operatorActionProblem(action);
  if (problem) reject(problem);
}

/** The full state for operators: stage, motion, attempts, next action and when, suppression and why, rewards, referrals. */
export function snapshot(ctx: RunContext): JourneySnapshot {
  const hold = askHold(ctx, 'email');
  return {
    ...ctx.state,
    inbox: ctx.state.inbox.length,
    seenEventIds: ctx.state.seenEventIds.length,
    suppressed: hold ? { kind: hold.kind, reason: hold.reason, until: hold.until === undefined ? undefined : iso(hold.until) } : undefined,
    pendingTracking: ctx.tracking.length,
    upgradeTo: ctx.upgrade ? { version: ctx.upgrade.version, hash: ctx.upgrade.hash } : undefined,
    handoverRequested: ctx.handoverRequested,
  };
}

function logAction(ctx: RunContext, what: string, action: OperatorAction | undefined): void {
  note(ctx.state, ctx.now(), `operator ${what}${action?.actor ? ` by ${action.actor}` : ''}${action?.reason ? `: ${action.reason}` : ''}`);
  track(ctx, `operator.${what}`, { actor: action?.actor, reason: action?.reason });
}

export function registerOperatorHandlers(ctx: RunContext): void {
  const ended = () => ctx.state.stage === 'ended' || Boolean(ctx.cancelRequested);
  setHandler(journeyStateQuery, () => snapshot(ctx));

  setHandler(
    pauseUpdate,
    (action) => {
      ctx.state.paused = { at: iso(ctx.now()), actor: action?.actor, reason: action?.reason };
      logAction(ctx, 'pause', action);
      cancelPendingAsk(ctx, 'paused by operator');
      showProgress(ctx);
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        if (ended()) reject('the run has ended');
        if (ctx.state.paused) reject('already paused');
      },
    },
  );

  setHandler(
    resumeUpdate,
    (action) => {
      ctx.state.paused = undefined;
      logAction(ctx, 'resume', action);
      wake(ctx);
      showProgress(ctx);
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        if (!ctx.state.paused) reject('not paused');
      },
    },
  );

  setHandler(
    optOutUpdate,
    (action) => {
      logAction(ctx, 'optOut', action);
      optOut(ctx, `operator${action?.actor ? ` ${action.actor}` : ''}: ${action?.reason ?? 'opted out'}`, 'operator', action?.actor);
      cancelPendingAsk(ctx, 'opted out by operator');
      showProgress(ctx);
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        if (ended()) reject('the run has ended');
        if (ctx.state.suppression.optedOut) reject('already opted out');
      },
    },
  );

  setHandler(
    optInUpdate,
    (action) => {
      delete ctx.state.suppression.optedOut;
      logAction(ctx, 'optIn', action);
      // An opted-out run rests in stage 'opted-out'; it wakes on this change and goes back to Listen (run-stages.ts).
      wake(ctx);
      showProgress(ctx);
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        const out = ctx.state.suppression.optedOut;
        if (!out) reject('not opted out');
        if (out.by !== UNSUBSCRIBE_LINK_ACTOR) reject(`opted out by ${out.by ?? 'a rule or an operator'}, not by the unsubscribe link`);
      },
    },
  );

  setHandler(
    skipWaitUpdate,
    (action) => {
      const skipped = ctx.state.nextAction?.what;
      ctx.skipRequests++;
      logAction(ctx, `skipWait (${skipped})`, action);
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        if (ended()) reject('the run has ended');
        if (!ctx.state.nextAction?.at) reject(`nothing to skip: the run is ${ctx.state.nextAction?.what ?? 'not waiting on a timer'}`);
      },
    },
  );

  setHandler(
    cancelRunUpdate,
    (action) => {
      ctx.cancelRequested = { reason: `${action?.actor ?? 'operator'}: ${action?.reason ?? 'cancelled'}` };
      logAction(ctx, 'cancelRun', action);
      cancelPendingAsk(ctx, 'run cancelled by operator');
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        if (ended()) reject('the run has already ended');
      },
    },
  );

  // Accepted in every stage, resting ones (opted out, ended) and reward holds included: the run continues as new at
  // its next safe point (a wait its stage can resume), carrying its state; signals sent meanwhile are kept.
  setHandler(
    handOverUpdate,
    (action) => {
      ctx.handoverRequested = { at: iso(ctx.now()), actor: action?.actor, reason: action?.reason };
      logAction(ctx, 'handOver', action);
      wake(ctx);
      showProgress(ctx);
      return snapshot(ctx);
    },
    {
      validator: (action) => {
        validAction(action);
        if (ctx.handoverRequested) reject(`a handover is already pending (asked at ${ctx.handoverRequested.at})`);
      },
    },
  );
}
