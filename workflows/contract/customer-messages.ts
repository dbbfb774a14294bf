// Signals, queries and updates of the per-customer workflow `customer:<id>` (traits, global opt-out and suppression,
// contact history, advocate score, reward ledger, sends), with their argument and result types, defined once:
// the workflow registers handlers, the activities, API, CLI and tests call them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ContactPolicy } from '../../definitions/contact-policy.ts';
import type { AdvocateScoreView } from '../customer/advocate-score.ts';
import type { GrantedAsk } from '../customer/contact-policy.ts';
import type { LedgerEntry, LedgerWrite, LedgerWriteResult, RewardClaim, RewardClaimResult } from '../customer/ledger.ts';
import type { SentEmail } from '../customer/sends.ts';
import type { FactEvent } from '../customer/start-facts.ts';
import type { JourneyEvent, OperatorAction } from './journey-messages.ts';

export type { LedgerEntry, LedgerWrite, LedgerWriteResult, RewardClaim, RewardClaimResult, RewardStatus } from '../customer/ledger.ts';
export type { SentEmail } from '../customer/sends.ts';
export type { AdvocateScoreView } from '../customer/advocate-score.ts';
export type { FactEvent } from '../customer/start-facts.ts';

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
  /** Refused for good because the customer opted out: who opted them out (the unsubscribe link, an operator). */
  optedOutBy?: string;
}

/** What the customer workflow shows (customerState, and globalOptOut's answer). */
export interface CustomerSnapshot {
  customerId: string;
  traits: Record<string, unknown>;
  optedOut: { reason: string } | null;
  suppressed: { reason: string; until?: string } | null;
  advocate: AdvocateScoreView;
  /** The contact policy this workflow runs with (the shipped file, with the start input's keys over it). */
  contactPolicy: ContactPolicy;
  contactHistory: GrantedAsk[];
  /** Sends recorded by recordSend signals from workers of earlier builds; today's are in each run's state (`sends`) and,
   *  all together, GET /v1/customers/<id> → `sends`. */
  sends: SentEmail[];
  /** recordSend signals dropped as malformed, when any. */
  malformedSends?: number;
  /** customerEvent / updateTraits signals refused (another customer's event, unusable traits, not an event), when any. */
  refusedSignals?: { count: number; last: string };
  /** The reward ledger, oldest first. */
  rewards: LedgerEntry[];
}

/** What a journey run reads from customer:<id> when it starts (customerStartFacts): the events it was not routed,
 *  to apply through its own rules, the customer's traits, and a global opt-out. */
export interface CustomerStartFacts {
  customerId: string;
  traits: Record<string, unknown>;
  optedOut: { reason: string; at: string; by?: string } | null;
  /** The kept events (workflows/customer/start-facts.ts), oldest first. */
  events: FactEvent[];
}

export const updateTraitsSignal = defineSignal<[Record<string, unknown>]>('updateTraits');
/** Every event about the customer also reaches their own workflow (advocate score, global suppression). */
export const customerEventSignal = defineSignal<[JourneyEvent]>('customerEvent');
export const customerStateQuery = defineQuery<CustomerSnapshot>('customerState');
export const customerStartFactsQuery = defineQuery<CustomerStartFacts>('customerStartFacts');
export const reserveContactSlotUpdate = defineUpdate<ContactSlotDecision, [ContactSlotRequest]>('reserveContactSlot');
export const globalOptOutUpdate = defineUpdate<CustomerSnapshot, [OperatorAction]>('globalOptOut');
/** Undoes a global opt-out the recipient made with the unsubscribe link (and only that one, as optInUpdate). */
export const globalOptInUpdate = defineUpdate<CustomerSnapshot, [OperatorAction]>('globalOptIn');
/** Hand customer:<id> over to a fresh history (continue-as-new) at once, carrying its state: how it leaves a history
 *  an older release started (docs/versioning.md). Answers with the customer's state. */
export const handOverCustomerUpdate = defineUpdate<CustomerSnapshot, [OperatorAction]>('handOver');

/** Record or move one reward in the customer's ledger; idempotent by the reward's id. */
export const recordRewardUpdate = defineUpdate<LedgerWriteResult, [LedgerWrite]>('recordReward');

/** Check a new reward against the advocate's whole ledger (caps, duplicate referred person) and write it, atomically. */
export const claimRewardUpdate = defineUpdate<RewardClaimResult, [RewardClaim]>('claimReward');

/** Record one email the customer was sent (any journey, any stage); idempotent by sendKey. A signal, not an update:
 *  durable once the server has it, so a send never waits for a workflow worker (e.g. while the only one drains). */
export const recordSendSignal = defineSignal<[SentEmail]>('recordSend');
