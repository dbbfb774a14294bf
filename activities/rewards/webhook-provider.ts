// The webhook reward provider: posts each payout or reversal to the company's billing / gift-card system with
// an Idempotency-Key and an HMAC signature. Transient failures throw (Temporal retries the activity with
// backoff); a 4xx other than 408/409/425/429 is permanent, and so is a request that cannot be built (a key that is
// no header value used to make fetch throw a TypeError that was retried for ever); 409 means the receiver already
// processed this key.
import { ACTIVITY_FAILURE } from '../../workflows/contract/index.ts';
import { ApplicationFailure } from '@temporalio/common';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signRewardPayload } from './signature.ts';
import { requestSignal } from '../cancellation.ts';
import { fetchFailure, headerSafeKey, isRetryableStatus, jsonBody } from '../failures.ts';

export interface RewardWebhookConfig {
  url: string;
  secret: string;
  /** Per-request timeout (default 10 s); a slow receiver is retried with the same key. */
  timeoutMs?: number;
}

/** The provider chosen by JOURNEY_REWARD_WEBHOOK_URL (+ JOURNEY_REWARD_WEBHOOK_SECRET), or none: the built-in ledger. */
export function rewardWebhookFromEnv(env: NodeJS.ProcessEnv): RewardWebhookConfig | undefined {
  const url = env.JOURNEY_REWARD_WEBHOOK_URL;
  if (!url) return undefined;
  const secret = env.JOURNEY_REWARD_WEBHOOK_SECRET;
  if (!secret) throw new Error('JOURNEY_REWARD_WEBHOOK_URL is set but JOURNEY_REWARD_WEBHOOK_SECRET is not: rewards must be signed');
  return { url, secret };
}

export interface WebhookOutcome {
  status: number;
  /** 409: the receiver had already processed this key. */
  alreadyProcessed: boolean;
  body: unknown;
}

export async function postRewardWebhook(
  config: RewardWebhookConfig,
  idempotencyKey: string,
  payload: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<WebhookOutcome> {
  const body = jsonBody(payload, 'reward webhook');
  const timestamp = String(Math.floor(nowMs / 1000));
  let res: Response;
  try {
    res = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // Keys are built header-safe (workflows/rewards/policy.ts rewardKey); this keeps any other key deliverable.
        [IDEMPOTENCY_HEADER]: headerSafeKey(idempotencyKey),
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signRewardPayload(config.secret, timestamp, body),
      },
      body,
      // The timeout, and the activity's cancellation (a worker shutting down must not wait for a slow receiver).
      signal: requestSignal(config.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw fetchFailure(err, 'reward webhook');
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  if (res.ok) return { status: res.status, alreadyProcessed: false, body: parsed };
  if (res.status === 409) return { status: 409, alreadyProcessed: true, body: parsed };
  const detail = `reward webhook answered ${res.status} for ${idempotencyKey}: ${text.slice(0, 300)}`;
  if (isRetryableStatus(res.status)) throw new Error(`${detail}; will retry with the same Idempotency-Key`);
  throw ApplicationFailure.nonRetryable(`${detail}; permanent, needs an operator`, ACTIVITY_FAILURE.rewardRejected, {
    idempotencyKey,
    status: res.status,
  });
}
