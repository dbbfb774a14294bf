// The reward webhook's signature: HMAC-SHA256 over `<timestamp>.<body>` with the shared secret, so the
// receiver can tell the request came from us and was not replayed long after (it checks the timestamp).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const SIGNATURE_HEADER = 'X-Journey-Signature';
export const TIMESTAMP_HEADER = 'X-Journey-Timestamp';

/** `sha256=<hex>` over `${timestamp}.${body}`; timestamp in Unix seconds. */
export function signRewardPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** True when the signature matches and the timestamp is within the tolerance of `nowMs`. */
export function verifyRewardSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  nowMs = Date.now(),
  toleranceMs = 300_000,
): boolean {
  const ts = Number(timestamp) * 1000;
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > toleranceMs) return false;
  const expected = Buffer.from(signRewardPayload(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
