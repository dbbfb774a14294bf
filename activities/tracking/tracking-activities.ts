// Activity recordTracking: every stage change and effect goes to the NDJSON log in the data folder and,
// when configured, to a webhook / analytics sink (with the record's key as Idempotency-Key).
import type { TrackingRecord } from '../journey/types.ts';
import { appendTracking } from './ndjson-log.ts';
import { trackingKey } from './tracking-key.ts';

export interface TrackingDeps {
  dataDir: string;
  /** Optional second sink (JOURNEY_TRACKING_WEBHOOK_URL). */
  webhookUrl?: string;
}

export function trackingDepsFromEnv(dataDir: string, env: NodeJS.ProcessEnv): TrackingDeps {
  return { dataDir, webhookUrl: env.JOURNEY_TRACKING_WEBHOOK_URL || undefined };
}

async function postTracking(url: string, key: string, rec: TrackingRecord): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({ ...rec, key }),
    signal: AbortSignal.timeout(10_000),
  });
  // 409: already received. Anything else not 2xx is retried by Temporal with the same key.
  if (!res.ok && res.status !== 409) throw new Error(`tracking webhook answered ${res.status}; will retry`);
}

export function createTrackingActivities(deps: TrackingDeps) {
  return {
    /** Idempotent per record key (rec.key, or a hash of its content). */
    async recordTracking(rec: TrackingRecord): Promise<{ key: string; written: boolean }> {
      const key = trackingKey(rec);
      const result = await appendTracking(deps.dataDir, { ...rec, key });
      if (deps.webhookUrl) await postTracking(deps.webhookUrl, key, rec);
      return result;
    },
  };
}
