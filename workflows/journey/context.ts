// What every stage handler gets: the pinned plan, the run's state, workflow time, and the levers the signal and
// update handlers pull (cancel the pending ask, wake a waiting stage, stop the run).
import type { ReverseRewardRequest, TrackingRecord, JourneyEvent } from '../contract/index.ts';
import type { CancellationScope } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { AdvocacyJourneyDefinition } from '../../definitions/generated/journey.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { JourneyState } from './state.ts';

/** The tracking writer's state (stages/track.ts), for the interpreter's handover. Not carried: each run has its own. */
export interface TrackingWriter {
  /** A write is in flight. */
  writing: boolean;
  /** The last write failed; the writer waits before the next try (the queue is carried if the run hands over now). */
  backingOff: boolean;
  /** The run is handing over or ending: no new write starts (what is queued goes with the carried state). */
  closed: boolean;
}

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
  /** Tracking records not yet written (the writer in stages/track.ts takes them off the front once written). */
  tracking: TrackingRecord[];
  trackingSeq: number;
  trackingWriter: TrackingWriter;
  /** Records are written as facts happen (patch tracking-written-live); false in a run whose history 1.0.0 started,
   *  which writes them at Track, before a handover and in an ended run (stages/track.ts flushTracking). */
  trackingLive: boolean;
  /** The run's history carries one marker for every 1.1.0 patch (patch journey-1-1-paths-marked-once, asked first
   *  when the run starts): journey/patch-check.ts isPatched answers for those ids without a marker of their own. */
  pathsMarkedOnce: boolean;
  /** Owner-outreach asks are owner tasks through the CRM provider, with their outcome, and referral stages are
   *  written back to the CRM (patch owner-task-outcome); false in a run whose history started without it. */
  ownerTasks: boolean;
  /** The CRM referral writer (journey/crm-referrals.ts) has a write in flight. */
  crmWriting?: boolean;
  /** The run is handing over: the CRM writer starts no new write (its queue is carried). */
  crmClosed?: boolean;
  /** The first run of this run's chain (stable across continue-as-new): part of every record key, so a journey
   *  started afresh under the same workflow id (after a terminate) never reuses an earlier chain's keys. */
  chainId: string;
  /** The action that completed Activate, for Reward. */
  action?: JourneyEvent;
  /** Ledger reversals a journeyEvent handler accepted and has not yet sent (reverseReward). */
  ledgerReversals?: ReverseRewardRequest[];
  /** Whether to upsert search attributes (a server without them registered would fail every workflow task). */
  searchAttributes: boolean;
  /** The search attribute values last upserted (name → JSON), to upsert only changes. */
  upserted: Map<string, string>;
  /** Bookkeeping batched (patch journey-bookkeeping-batched, asked once when the run starts): search attributes
   *  upserted once per activation when its work settles (journey/visibility.ts), tracking not written while an
   *  effect activity is in flight, at most TRACKING_DEFER_MS (stages/track.ts). False in a run whose history
   *  started without it. */
  bookkeepingBatched: boolean;
  /** Search attribute changes of the current task not yet upserted (name → pair), with bookkeepingBatched. */
  pendingUpserts?: Map<string, SearchAttributeUpdatePair>;
  /** Counts the changes added to pendingUpserts: the upsert waits until rounds of the activation add none
   *  (journey/settle.ts). */
  upsertChanges?: number;
  /** Hand over to a fresh history (continue-as-new) from any long wait at this many history events. */
  historyLimit: number;
  /** An operator asked the run to hand over to a fresh history at its next safe point (the handOver update). */
  handoverRequested?: { at: string; actor?: string; reason?: string };
  /** patched(referrer-updates-and-prompts), asked once, where the run first needs it (journey/prompts.ts). */
  promptsAndUpdates?: boolean;
  /** A referrer update's slot or send is in flight: a handover waits for it (journey/referrer-updates.ts). */
  referrerUpdateInFlight?: boolean;
  /** The run is about to continue as new: the referrer update sender starts nothing more. */
  referrerUpdatesStopped?: boolean;
  /** The plan declares an experiment and this run takes part (patch experiment-arms): journey/experiment.ts. */
  experiments: boolean;
  /** The stage loop has applied the customer's opt-out (patch journey-records-unapplied-events): the actions heard
   *  before it were taken (journey/opt-out-honour.ts); an action that comes now is action.ignored (opted-out). */
  optOutApplied?: boolean;
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

/**
 * Records a fact: queued, and written by the tracking writer (stages/track.ts) once the workflow task of the fact
 * has committed, within about a second.
 * `at` is the fact's time (workflow time, now); `key` names the fact for good (chain, cycle, type, a counter carried
 * over continue-as-new), so a write repeated after a crash or a retry is logged once. Never capped: an unwritten
 * record waits in the queue and travels with the carried state.
 */
export function track(ctx: RunContext, type: string, data?: Record<string, unknown>): void {
  const stage = ctx.state.stage === 'opted-out' ? 'suppressed' : ctx.state.stage;
  ctx.trackingSeq++;
  ctx.tracking.push({
    key: `${ctx.workflowId}:${ctx.chainId}:${ctx.state.cycle}:${type}:${ctx.trackingSeq}`,
    at: iso(ctx.now()),
    journeyId: ctx.plan.journeyId,
    journeyVersion: ctx.plan.version,
    customerId: ctx.state.customerId,
    cycle: ctx.state.cycle,
    stage,
    motion: ctx.state.motion,
    ...(typeof ctx.state.traits.segment === 'string' ? { segment: ctx.state.traits.segment } : {}),
    ...(ctx.state.variant ? { variant: ctx.state.variant } : {}),
    ...experimentOf(ctx),
    type,
    data: { ...data },
  });
}

/** The experiment and arm governing the current cycle (journey/experiment.ts), for every record of it. */
function experimentOf(ctx: RunContext): { experiment: string; arm: string } | Record<string, never> {
  const a = ctx.state.experiment;
  return ctx.experiments && a && a.cycle === ctx.state.cycle ? { experiment: a.id, arm: a.arm } : {};
}

/**
 * A record type added with live tracking (1.1.0): queued only in a run that writes live. A run whose history 1.0.0
 * started writes at Track, before a handover and in an ended run, and only when its queue is not empty; a record
 * 1.0.0 never queued would make it write where its history has no write.
 */
export function trackIfLive(ctx: RunContext, type: string, data?: Record<string, unknown>): void {
  if (ctx.trackingLive) track(ctx, type, data);
}
