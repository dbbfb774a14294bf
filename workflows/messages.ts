// Signals, queries and updates of the journey workflows, defined once: workflows, API, CLI and tests import them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** An event from a backend service, as accepted by `POST /v1/events`. */
export interface JourneyEvent {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

/** Workflow ids: one journey run per (journey, customer); one profile workflow per customer. */
export function journeyWorkflowId(journeyId: string, customerId: string): string {
  return `journey:${journeyId}:${customerId}`;
}
export function customerWorkflowId(customerId: string): string {
  return `customer:${customerId}`;
}

/** The workflow type names, for clients that start them by name. */
export const JOURNEY_WORKFLOW_TYPE = 'advocacyJourney';
export const CUSTOMER_WORKFLOW_TYPE = 'customerProfile';

export const journeyEventSignal = defineSignal<[JourneyEvent]>('journeyEvent');
export const journeyStateQuery = defineQuery<unknown>('journeyState');

/** Operator actions; each returns the run's state after the action. */
export interface OperatorAction {
  /** Who did it and why, recorded in the run's state. */
  actor?: string;
  reason?: string;
}
export const pauseUpdate = defineUpdate<unknown, [OperatorAction]>('pause');
export const resumeUpdate = defineUpdate<unknown, [OperatorAction]>('resume');
export const optOutUpdate = defineUpdate<unknown, [OperatorAction]>('optOut');
export const skipWaitUpdate = defineUpdate<unknown, [OperatorAction]>('skipWait');
export const cancelRunUpdate = defineUpdate<unknown, [OperatorAction]>('cancelRun');

/** The journey workflow's input: the compiled plan pinned for the run, and state carried over continue-as-new. */
export interface JourneyRunInput {
  plan: import('../definitions/plan.ts').CompiledPlan;
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
}

// ---- the per-customer workflow `customer:<id>`: traits, global opt-out and suppression, contact history, rewards ----

/** Asked before every ask, across all journeys: frequency cap and quiet hours. */
export interface ContactSlotRequest {
  customerId: string;
  journeyId: string;
  /** The ask's idempotency key; reserving the same key twice returns the first decision. */
  sendKey: string;
  /** Workflow time of the intended send (ISO). */
  at: string;
  /** The journey's own cap, checked inside the global one. */
  journeyCap?: { maxAsks: number; periodMs: number };
  /** The journey's own quiet hours (HH:MM local, in the customer's zone), checked with the global ones. */
  quietHours?: { start: string; end: string };
  /** Additive: the customer's IANA zone as the journey uses it for its send window; when present (and known), the
   *  customer workflow reads quiet hours in it instead of its own traits.timezone / the policy's default zone. */
  timezone?: string;
}
export interface ContactSlotDecision {
  granted: boolean;
  /** When refused: the earliest time a slot could be granted (ISO), and why. */
  retryAt?: string;
  reason?: string;
}

export const updateTraitsSignal = defineSignal<[Record<string, unknown>]>('updateTraits');
/** Every event about the customer also reaches their own workflow (advocate score, global suppression). */
export const customerEventSignal = defineSignal<[JourneyEvent]>('customerEvent');
export const customerStateQuery = defineQuery<unknown>('customerState');
export const reserveContactSlotUpdate = defineUpdate<ContactSlotDecision, [ContactSlotRequest]>('reserveContactSlot');
export const globalOptOutUpdate = defineUpdate<unknown, [OperatorAction]>('globalOptOut');

// ---- additive (interpreter): deploy-time plan upgrades for runs in flight ----

/** A newer compiled plan of the same journey; the run moves to it the next time it is back in Listen
 *  when the new plan says `inFlight: migrate-at-listen`, and keeps its own version otherwise. */
export const upgradePlanSignal = defineSignal<[import('../definitions/plan.ts').CompiledPlan]>('upgradePlan');
