// The journey interpreter: one workflow type that runs any compiled plan, pinned in its input. A loop over the
// seven stages (plus suppression), each in its own module; a cycle ends in continue-as-new with carried state.
import {
  allHandlersFinished, ApplicationFailure, condition, continueAsNew, patched, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { PLAN_FORMAT } from '../../definitions/plan.ts';
import { CustomerId, JourneyId, JourneyVersion } from '../../worker/search-attributes.ts';
import { journeyEventSignal, upgradePlanSignal, type JourneyRunInput } from '../messages.ts';
import { iso, stopRequested, track, type RunContext } from './context.ts';
import { takeEvent } from './event-intake.ts';
import { registerOperatorHandlers, snapshot } from './operators.ts';
import { carry, initialState, note, type CarriedState } from './state.ts';
import { showProgress } from './visibility.ts';
import { flushLedgerReversals } from './reward-ledger.ts';
import { waitUntil } from './waits.ts';
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
    if (plan.planFormat !== PLAN_FORMAT) problems.push(`input.plan.planFormat is ${JSON.stringify(plan.planFormat)}, this interpreter runs ${PLAN_FORMAT}`);
    if (!plan.definition?.listen?.signals?.length) problems.push('input.plan.definition.listen.signals is empty');
    if (!plan.definition?.motions || typeof plan.definition.motions !== 'object') problems.push('input.plan.definition.motions is missing');
    if (!plan.definition?.suppression || !plan.definition?.qualify || !plan.definition?.track) problems.push('input.plan.definition lacks suppression, qualify or track');
  }
  if (typeof input?.customerId !== 'string' || !input.customerId) problems.push('input.customerId is missing');
  if (problems.length) throw ApplicationFailure.nonRetryable(`bad journey input: ${problems.join('; ')}`, 'JourneyBadPlan');
}

type RunEnd = { kind: 'ended'; reason: string } | { kind: 'continue-as-new' };

export async function advocacyJourney(input: JourneyRunInput): Promise<unknown> {
  checkInput(input);
  const { plan } = input;
  const ctx: RunContext = {
    plan, def: plan.definition, workflowId: workflowInfo().workflowId, now: () => Date.now(),
    state: initialState(plan, input.customerId, input.carried as CarriedState | undefined),
    changes: 0, skipRequests: 0, tracking: [], trackingSeq: 0, searchAttributes: input.searchAttributes !== false, upserted: new Map(),
  };
  setHandler(journeyEventSignal, async (event) => {
    takeEvent(ctx, event);
    if (ctx.state.stage !== 'ended') showProgress(ctx);
    // A reversal the policy accepted reaches the customer ledger now (the run may be waiting for months).
    if (ctx.ledgerReversals?.length) await flushLedgerReversals(ctx);
  });
  setHandler(upgradePlanSignal, (next) => takeUpgrade(ctx, next));
  registerOperatorHandlers(ctx);
  if (ctx.searchAttributes) {
    upsertSearchAttributes([
      { key: JourneyId, value: plan.journeyId }, { key: JourneyVersion, value: String(plan.version) }, { key: CustomerId, value: input.customerId },
    ]);
  }
  showProgress(ctx);

  const end = await runStages(ctx);
  await flushTracking(ctx);
  // Handlers still running (an update mid-way) finish first; signals that arrive now are replayed into this
  // task by the server before continue-as-new completes, so they land in the carried state.
  await condition(allHandlersFinished);
  if (end.kind === 'continue-as-new') {
    const next = ctx.upgrade ?? plan;
    if (ctx.upgrade) note(ctx.state, ctx.now(), `moving from version ${plan.version} to ${next.version} (inFlight: migrate-at-listen)`);
    return await continueAsNew<typeof advocacyJourney>({ ...input, plan: next, carried: carry(ctx.state) });
  }
  ctx.state.stage = 'ended';
  ctx.state.ended = { reason: end.reason, at: iso(ctx.now()) };
  ctx.state.nextAction = undefined;
  showProgress(ctx);
  return snapshot(ctx);
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
  for (;;) {
    showProgress(ctx);
    if (ctx.cancelRequested || ctx.exitRequested) return { kind: 'ended', reason: endReason(ctx) };
    if (state.suppression.optedOut && state.stage !== 'opted-out') {
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
        state.stage = r === 'suppressed' ? 'suppressed' : r === 'cannot-ask' ? 'listen' : 'activate';
        break;
      }
      case 'activate': {
        const r = await activate(ctx);
        if (r.kind === 'stopped') continue;
        if (r.kind === 'timeout') {
          if (r.then === 'exit') return { kind: 'ended', reason: `no action within ${ctx.def.motions[state.motion!].activate.timeout} (onTimeout: exit)` };
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
          await waitUntil(ctx, until, `cool-down: ${hold!.reason}`);
          break;
        }
        state.stage = 'listen';
        break;
      }
      case 'opted-out':
        // No more asks, for good. The run stays to keep the opt-out (new events would otherwise start a fresh run).
        if (workflowInfo().continueAsNewSuggested) return { kind: 'continue-as-new' };
        await waitUntil(ctx, undefined, 'opted out: no asks', () => Boolean(ctx.cancelRequested) || workflowInfo().continueAsNewSuggested, true);
        if (ctx.cancelRequested) return { kind: 'ended', reason: endReason(ctx) };
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
