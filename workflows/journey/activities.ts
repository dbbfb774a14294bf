// The effects the interpreter asks for, reached only through proxyActivities (import type: no side effects here).
// createActivities (activities/index.ts) registers every one of them except readAdvocateScore, which needs a Temporal
// client: without it that activity fails with NotFoundError at once (not retried) and Qualify goes on without a score.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { SendEmailRequest, SendEmailResult } from '../../activities/email/types.ts';
import type {
  RewardRequest,
  RewardResult,
  ReverseRewardRequest,
  ReverseRewardResult,
  TrackingRecord,
} from '../../activities/journey/types.ts';
import type { ContactSlotDecision, ContactSlotRequest } from '../messages.ts';
import type { RewardClaim, RewardClaimResult } from '../customer/ledger.ts';
import type { AdvocateScoreReading, AdvocateScoreRequest } from '../../activities/contact/advocate-score.ts';

export interface JourneyActivities {
  sendEmail(req: SendEmailRequest): Promise<SendEmailResult>;
  reserveContactSlot(req: ContactSlotRequest): Promise<ContactSlotDecision>;
  issueReward(req: RewardRequest): Promise<RewardResult>;
  /** The customer ledger's view of a reward (activities/rewards): held until release, refused by policy, reversed. */
  holdReward(req: RewardRequest, releaseAt: string): Promise<{ rewardId: string; status: string }>;
  refuseReward(req: RewardRequest, reason: string): Promise<{ rewardId: string; status: string }>;
  /** The advocate's ledger checks caps and the duplicate referred person across journeys and writes the reward, atomically. */
  claimReward(
    req: RewardRequest,
    checks: Omit<RewardClaim, 'write'>,
    status: 'held' | 'pending',
    releaseAt?: string,
  ): Promise<RewardClaimResult>;
  /** A held reward whose conversion never came (release.onNoConversion: forfeit): never paid. */
  forfeitReward(req: RewardRequest, reason: string): Promise<{ rewardId: string; status: string }>;
  reverseReward(req: ReverseRewardRequest): Promise<ReverseRewardResult>;
  recordTracking(rec: TrackingRecord): Promise<unknown>;
  /** A Track flush's records in one call (activities/tracking), idempotent per record key. */
  recordTrackingBatch(recs: TrackingRecord[]): Promise<unknown>;
  /** The customer's advocate score and tier from customer:<id> (activities/contact/advocate-score.ts), read at Qualify. */
  readAdvocateScore(req: AdvocateScoreRequest): Promise<AdvocateScoreReading>;
}

const NOT_REGISTERED = 'NotFoundError';

export const email = proxyActivities<Pick<JourneyActivities, 'sendEmail'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export const optional = proxyActivities<Omit<JourneyActivities, 'sendEmail'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', nonRetryableErrorTypes: [NOT_REGISTERED] },
});

/** The ApplicationFailure type behind an activity failure, if any. */
export function failureType(err: unknown): string | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
  return undefined;
}

export function isNotRegistered(err: unknown): boolean {
  return failureType(err) === NOT_REGISTERED;
}

export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return (err as Error)?.message ?? String(err);
}
