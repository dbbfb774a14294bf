// The idempotency key of one tracking record: given by the interpreter (workflow id + step), or derived from
// the record's content, so a retried append is recognized.
import { createHash } from 'node:crypto';
import type { OutcomeTrackingRecord, TrackingRecord } from '../../workflows/contract/index.ts';

export function trackingKey(rec: TrackingRecord | OutcomeTrackingRecord): string {
  if (rec.key) return rec.key;
  if (typeof rec.data?.key === 'string' && rec.data.key) return rec.data.key; // where the interpreter puts it
  const { journeyId, journeyVersion, customerId, stage, type, at, motion, data } = rec;
  return `h:${createHash('sha256')
    .update(JSON.stringify([journeyId, journeyVersion, customerId, stage, type, at, motion ?? null, data ?? null]))
    .digest('hex')
    .slice(0, 32)}`;
}
