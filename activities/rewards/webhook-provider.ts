// The webhook reward provider: posts each payout or reversal to the company's billing / gift-card system with
// an Idempotency-Key and an HMAC signature (activities/signed-webhook.ts, shared with the CRM provider). Transient
// failures throw (Temporal retries the activity with backoff); a 4xx other than 408/409/425/429 is permanent, and so
// is a request that cannot be built (a key that is no header value used to make fetch throw a TypeError that was
// retried for ever); 409 means the receiver already processed this key.
import { ACTIVITY_FAILURE } from '../../workflows/contract/index.ts';
import { postSignedWebhook, type SignedWebhookOutcome, type SignedWebhookTarget } from '../signed-webhook.ts';

export type RewardWebhookConfig = SignedWebhookTarget;

/** The provider chosen by JOURNEY_REWARD_WEBHOOK_URL (+ JOURNEY_REWARD_WEBHOOK_SECRET), or none: the built-in ledger. */
export function rewardWebhookFromEnv(env: NodeJS.ProcessEnv): RewardWebhookConfig | undefined {
  const url = env.JOURNEY_REWARD_WEBHOOK_URL;
  if (!url) return undefined;
  const secret = env.JOURNEY_REWARD_WEBHOOK_SECRET;
  if (!secret) throw new Error('JOURNEY_REWARD_WEBHOOK_URL is set but JOURNEY_REWARD_WEBHOOK_SECRET is not: rewards must be signed');
  return { url, secret };
}

/** Posts one payout or reversal (see activities/signed-webhook.ts for what each answer means). */
export function postRewardWebhook(
  config: RewardWebhookConfig,
  idempotencyKey: string,
  payload: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<SignedWebhookOutcome> {
  return postSignedWebhook(
    config,
    idempotencyKey,
    payload,
    { label: 'reward webhook', rejectedType: ACTIVITY_FAILURE.rewardRejected },
    nowMs,
  );
}
