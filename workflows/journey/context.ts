// What every stage handler gets: the pinned plan, the run's state, workflow time, and the levers the signal and
// update handlers pull (cancel the pending ask, wake a waiting stage, stop the run).
import type { ReverseRewardRequest, TrackingRecord, JourneyEvent } from '../contract/index.ts';
import type { CancellationScope } from '@temporalio/workflow';
import type { AdvocacyJourneyDefinition } from '../../definitions/generated/journey.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { JourneyState } from './state.ts';

export interface RunContext {
  plan: CompiledPlan;
  def: AdvocacyJourneyDefinition;
  state: JourneyState;
  workflowId: string;
  /** Workflow time (deterministic). */
  now(): number;
  /** The scope around the pending ask (its wait, slot and send); a bad signal or operator cancels it. */
  pendingAsk?: CancellationScope;
  /** Bumped by every change a waiting stage must look at (suppression, actions, operators). */
  changes: number;
  skipRequests: number;
  cancelRequested?: { reason: string };
  exitRequested?: { reason: string };
  /** A newer plan to move to the next time the run is back in Listen (inFlight: migrate-at-listen). */
  upgrade?: CompiledPlan;
  /** Tracking records not yet written by the tracking activity. */
  tracking: TrackingRecord[];
  trackingSeq: number;
  /** The action that completed Activate, for Reward. */
  action?: JourneyEvent;
  /** Ledger reversals a journeyEvent handler accepted and has not yet sent (reverseReward). */
  ledgerReversals?: ReverseRewardRequest[];
  /** Whether to upsert search attributes (a server without them registered would fail every workflow task). */
  searchAttributes: boolean;
  /** The search attribute values last upserted (name → JSON), to upsert only changes. */
  upserted: Map<string, string>;
  /** Hand over to a fresh history (continue-as-new) from any long wait at this many history events. */
  historyLimit: number;
  /** An operator asked the run to hand over to a fresh history at its next safe point (the handOver update). */
  handoverRequested?: { at: string; actor?: string; reason?: string };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The run must stop asking and leave its current stage: cancelled, exited, or opted out. */
export function stopRequested(ctx: RunContext): boolean {
  return Boolean(ctx.cancelRequested || ctx.exitRequested || ctx.state.suppression.optedOut);
}

/** The NPS answer an event carries (nps.submitted's score), for tracking records the KPI report reads as data.nps. */
export function npsOf(event: JourneyEvent | undefined): { nps: number } | undefined {
  if (event?.type !== 'nps.submitted') return undefined;
  const score = event.data?.score;
  return typeof score === 'number' && Number.isFinite(score) ? { nps: score } : undefined;
}

export function wake(ctx: RunContext): void {
  ctx.changes++;
}

/** The workflow id, or for a chain that started after an earlier run closed, the workflow id and that run: the
 *  old run's records hold the same cycles and counters, and the once-per-key sink would drop the new ones. */
function trackingKeyBase(ctx: RunContext): string {
  const previous = ctx.state.previousRun;
  return previous ? `${ctx.workflowId}:after-${previous.runId.slice(0, 8)}` : ctx.workflowId;
}

/** Queue a tracking record; the Track stage (and the end of a run) writes them. */
export function track(ctx: RunContext, type: string, data?: Record<string, unknown>): void {
  const stage = ctx.state.stage === 'opted-out' ? 'suppressed' : ctx.state.stage;
  ctx.trackingSeq++;
  ctx.tracking.push({
    at: iso(ctx.now()),
    journeyId: ctx.plan.journeyId,
    journeyVersion: ctx.plan.version,
    customerId: ctx.state.customerId,
    stage,
    motion: ctx.state.motion,
    cycle: ctx.state.cycle,
    ...(typeof ctx.state.traits.segment === 'string' ? { segment: ctx.state.traits.segment } : {}),
    ...(ctx.state.variant ? { variant: ctx.state.variant } : {}),
    type,
    data: { ...data, key: `${trackingKeyBase(ctx)}:${ctx.state.cycle}:${type}:${ctx.trackingSeq}` },
  });
  if (ctx.tracking.length > 200) ctx.tracking.splice(0, ctx.tracking.length - 200);
}
