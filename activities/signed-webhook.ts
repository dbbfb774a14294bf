// One way to post a signed webhook, shared by the reward provider (activities/rewards/webhook-provider.ts) and the
// CRM provider (activities/crm/webhook-provider.ts): an Idempotency-Key, an HMAC signature over the timestamp and
// body (activities/rewards/signature.ts), a timeout, and the activity's cancellation. What the answer means is
// decided here once:
// - 2xx: done; 409: the receiver had already processed this key (done too);
// - 408, 425, 429, 5xx, a network failure or our timeout: thrown as is, so Temporal retries with the same key;
// - any other 4xx, or a request that cannot be built: non-retryable, with the caller's failure type, for operators.
// Neither caller needs the answer's body, so a body that cannot be read after the status arrived changes nothing:
// the status already says whether the receiver took the request.
import { ApplicationFailure } from '@temporalio/common';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signRewardPayload } from './rewards/signature.ts';
import { requestSignal } from './cancellation.ts';
import { fetchFailure, headerSafeKey, isRetryableStatus, jsonBody } from './failures.ts';

export interface SignedWebhookTarget {
  url: string;
  secret: string;
  /** Per-request timeout (default 10 s); a slow receiver is retried with the same key. */
  timeoutMs?: number;
}

export interface SignedWebhookUse {
  /** Names the webhook in errors, e.g. "reward webhook". */
  label: string;
  /** The ApplicationFailure type of a permanent refusal (from the contract). */
  rejectedType: string;
}

export interface SignedWebhookOutcome {
  status: number;
  /** 409: the receiver had already processed this key. */
  alreadyProcessed: boolean;
}

export async function postSignedWebhook(
  target: SignedWebhookTarget,
  idempotencyKey: string,
  payload: Record<string, unknown>,
  use: SignedWebhookUse,
  nowMs = Date.now(),
): Promise<SignedWebhookOutcome> {
  const body = jsonBody(payload, use.label);
  const timestamp = String(Math.floor(nowMs / 1000));
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // Keys may hold workflow and customer ids (any character): made a valid header value, one-to-one.
        [IDEMPOTENCY_HEADER]: headerSafeKey(idempotencyKey),
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signRewardPayload(target.secret, timestamp, body),
      },
      body,
      // The timeout, and the activity's cancellation (a worker shutting down must not wait for a slow receiver).
      signal: requestSignal(target.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw fetchFailure(err, use.label);
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { status: res.status, alreadyProcessed: false };
  if (res.status === 409) return { status: 409, alreadyProcessed: true };
  const detail = `${use.label} answered ${res.status} for ${idempotencyKey}: ${text.slice(0, 300)}`;
  if (isRetryableStatus(res.status)) throw new Error(`${detail}; will retry with the same Idempotency-Key`);
  throw ApplicationFailure.nonRetryable(`${detail}; permanent, needs an operator`, use.rejectedType, {
    idempotencyKey,
    status: res.status,
  });
}
