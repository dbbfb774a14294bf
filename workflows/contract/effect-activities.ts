// Requests, results and failure types of the reward, tracking and advocate-score activities (activities/rewards,
// activities/tracking, activities/contact): the interpreter builds the requests, the implementations take them.
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
  /** The customer's traits.segment and the invite variant they were asked with, for the report's breakdowns. */
  segment?: string;
  variant?: string;
  /** The experiment (definition `experiment.id`) and arm (an arm id, or `control`) governing the record's cycle. */
  experiment?: string;
  arm?: string;
  /** e.g. delight, qualified, ask.sent, action.taken, referral.closed_won, reward.issued (docs/kpis.md lists all). */
  type: string;
  data?: Record<string, unknown>;
  /** Set by the sink: when the line was appended (its own clock), so the lag behind `at` is visible. */
  loggedAt?: string;
}

/** A tracking record the API writes for a tracked catalog event (api/tracked-events.ts): about a referred lead or
 *  account, so its journey may be unknown until the report joins it to the referral's submission. */
export type OutcomeTrackingRecord = Omit<TrackingRecord, 'journeyId' | 'journeyVersion' | 'stage'> & {
  journeyId?: string;
  journeyVersion?: number;
  stage: 'track';
};

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

/** The advocate score activity (activities/contact/advocate-score.ts) reads customer:<id> at Qualify. */
export interface AdvocateScoreRequest {
  customerId: string;
}
/** found: false when the customer has no customer workflow yet (no event about them was ever scored). */
export type AdvocateScoreReading = { found: true; score: number; tier: string } | { found: false };

/** ApplicationFailure types the effect activities raise (all non-retryable). */
export const ACTIVITY_FAILURE = {
  /** The reward webhook refused a payout for good (4xx other than 408/429): recorded as failed, needs an operator. */
  rewardRejected: 'RewardRejected',
  /** The worker was built without a Temporal client, so customer:<id> cannot be reached. */
  workerMisconfigured: 'WorkerMisconfigured',
  /** A request no attempt can send (an invalid header value or URL, a body JSON cannot hold): activities/failures.ts. */
  invalidRequest: 'InvalidRequest',
  /** Temporal refused the call itself (an id over its limit, an Update its validator rejects): activities/failures.ts. */
  temporalRefused: 'TemporalRefused',
  /** Temporal's own type when a worker has not registered the activity asked for. */
  notRegistered: 'NotFoundError',
} as const;
