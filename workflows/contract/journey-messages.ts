// Signals, queries and updates of the journey workflow `journey:<journeyId>:<customerId>`, with their argument and
// result types, defined once: the workflow registers handlers for them, the API, CLI, bench and tests call them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { JourneyState } from '../journey/state.ts';
import type { AskHold } from '../journey/suppression.ts';

/** An event from a backend service, as accepted by `POST /v1/events`. */
export interface JourneyEvent {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  traits?: Record<string, unknown>;
  /**
   * Set by the API when Temporal took the event (ISO): when the fact reached the engine. Windows measured between two
   * facts (attribution, reversal) use it, not the moment a worker got to the event, which may be much later after an
   * outage or a backlog. Absent in events signalled straight to a run (then: the workflow's now).
   */
  receivedAt?: string;
}

/** The journey workflow's input: the compiled plan pinned for the run, and state carried over continue-as-new. */
export interface JourneyRunInput {
  plan: CompiledPlan;
  customerId: string;
  /** Present after continue-as-new: whatever the interpreter carries (counts, tier, seen event ids, last ask time). */
  carried?: unknown;
  /** Additive: set false only on a server without the journey search attributes registered (default true). */
  searchAttributes?: boolean;
  /** Additive: the history length (events) at which a run hands over to a fresh one from any long wait (default 2000). */
  continueAsNewAfter?: number;
  /** Additive: the advocate's opaque referral code in this journey, minted by the API (api/referral-code.ts) with
   *  its secret; without it the run draws one from its seeded random (which the API cannot resolve). */
  referralCode?: string;
  /** Additive: the run of this workflow id that had closed (failed, terminated, timed out) when the API started this
   *  one; its send and tracking keys may have been used already (api/routing.ts reads it with describe). */
  previousRun?: { runId: string; status: string };
  /** Additive: the API looked for a closed run of this workflow id before starting (previousRun holds what it found);
   *  without it a fresh run looks itself when it reads the customer's facts (journey/start-facts.ts). */
  closedRunChecked?: boolean;
  /** Additive: the event that starts this run also started customer:<id> (its first event ever): there are no earlier
   *  facts to read, and no earlier run of this journey (the API routes every start after the customer's first event). */
  firstEventOfCustomer?: boolean;
}

/** What operators see of a run (journeyState, and every operator action's answer): its state, with the bounded
 *  lists (inbox, seen event ids) as counts, the current ask hold, the tracking records not yet flushed and the
 *  plan version the run will move to. */
export type JourneySnapshot = Omit<JourneyState, 'inbox' | 'seenEventIds'> & {
  inbox: number;
  seenEventIds: number;
  suppressed?: { kind: AskHold['kind']; reason: string; until?: string };
  pendingTracking: number;
  upgradeTo?: { version: number; hash: string };
  /** An operator's hand-over, pending until the run's next safe point. */
  handoverRequested?: { at: string; actor?: string; reason?: string };
};

/** Who did an operator action and why, recorded in the run's state. */
export interface OperatorAction {
  actor?: string;
  reason?: string;
}

export const journeyEventSignal = defineSignal<[JourneyEvent]>('journeyEvent');
export const journeyStateQuery = defineQuery<JourneySnapshot>('journeyState');

/** Operator actions; each returns the run's state after the action. */
export const pauseUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('pause');
export const resumeUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('resume');
export const optOutUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('optOut');
/** Undoes an opt-out made through the unsubscribe link (actor UNSUBSCRIBE_LINK_ACTOR), and only that one: an
 *  operator's or a bad event's opt-out is not the recipient's to undo. */
export const optInUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('optIn');
/** The actor of an opt-out the recipient made with the signed link in an ask (api/routes/unsubscribe.ts). */
export const UNSUBSCRIBE_LINK_ACTOR = 'unsubscribe-link';
export const skipWaitUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('skipWait');
export const cancelRunUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('cancelRun');
/** Hand the run over to a fresh history (continue-as-new) at its next safe point, in any stage, carrying its state:
 *  how runs leave a history an older release started (docs/versioning.md). */
export const handOverUpdate = defineUpdate<JourneySnapshot, [OperatorAction]>('handOver');

/** A newer compiled plan of the same journey; the run moves to it the next time it is back in Listen
 *  when the new plan says `inFlight: migrate-at-listen`, and keeps its own version otherwise. */
export const upgradePlanSignal = defineSignal<[CompiledPlan]>('upgradePlan');
