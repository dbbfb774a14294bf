// The contract between the interpreter and the reward, tracking and contact-policy activities.
import type { RewardItem } from '../../definitions/generated/journey.ts';

export interface RewardRequest {
  /** (advocate, referral or action, reward rule) → one key; a provider never pays the same key twice. */
  idempotencyKey: string;
  advocateId: string;
  /** Who receives it: the advocate, or the referred friend (two-sided). */
  recipientId: string;
  role: 'referrer' | 'referred' | 'tier-bonus';
  item: RewardItem;
  reason: string;
  journeyId: string;
  journeyVersion: number;
  referralId?: string;
  /** Which rule of the plan gave it, e.g. `referral.referrer` or `tier:gold`. */
  ruleId: string;
  /** Additive: who was referred (id:<customerId> or email:<address>), on the referrer's reward; the ledger's duplicate check. */
  referred?: string;
}

export interface RewardResult {
  rewardId: string;
  status: 'issued' | 'failed';
  provider: 'ledger' | 'webhook';
  /** When failed: why, for operators. */
  failure?: string;
}

/** One line of the tracking log: one fact of a journey run. Every type and its data fields: docs/kpis.md. */
export interface TrackingRecord {
  /** The fact's idempotency key (`<workflowId>:<chainId>:<cycle>:<type>:<n>`); a record with the same key is logged
   *  and counted once. Derived from the content when absent. */
  key?: string;
  /** When the fact happened (workflow time, ISO): what every KPI and period filter uses. */
  at: string;
  journeyId: string;
  journeyVersion: number;
  customerId: string;
  /** The run's cycle when the fact happened (1-based). */
  cycle?: number;
  stage: 'listen' | 'qualify' | 'invite' | 'activate' | 'reward' | 'track' | 'expand' | 'suppressed' | 'ended';
  motion?: string;
  /** e.g. delight, qualified, ask.sent, action.taken, referral.closed_won, reward.issued (docs/kpis.md lists all). */
  type: string;
  data?: Record<string, unknown>;
  /** Set by the sink: when the line was appended (its own clock), so the lag behind `at` is visible. */
  loggedAt?: string;
}

/** Reverse one reward (a conversion refunded or churned within the plan's reversal window). */
export interface ReverseRewardRequest {
  /** The idempotencyKey the reward was issued with. */
  idempotencyKey: string;
  recipientId: string;
  reason: string;
}
export interface ReverseRewardResult {
  rewardId: string;
  status: 'reversed' | 'failed';
  failure?: string;
}
