// Activity recordTracking: every stage change and effect is appended, once per key, to the NDJSON log in the data
// folder. A webhook / analytics sink (JOURNEY_TRACKING_WEBHOOK_URL) is fed from that log by the worker's
// forwarder (webhook-forwarder.ts), so an analytics outage never holds a journey at Track.
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import { appendTracking } from './ndjson-log.ts';
import { trackingKey } from './tracking-key.ts';

export interface TrackingDeps {
  dataDir: string;
}

export function trackingDepsFromEnv(dataDir: string): TrackingDeps {
  return { dataDir };
}

export function createTrackingActivities(deps: TrackingDeps) {
  return {
    /** Idempotent per record key (rec.key, or a hash of its content). */
    async recordTracking(rec: TrackingRecord): Promise<{ key: string; written: boolean }> {
      return appendTracking(deps.dataDir, { ...rec, key: trackingKey(rec) });
    },
    /**
     * The records of one Track flush in one activity (three history events instead of three per record), in order;
     * a retry after a partial append skips the keys already logged.
     */
    async recordTrackingBatch(recs: TrackingRecord[]): Promise<{ written: number; skipped: number }> {
      let written = 0;
      for (const rec of recs) if ((await appendTracking(deps.dataDir, { ...rec, key: trackingKey(rec) })).written) written++;
      return { written, skipped: recs.length - written };
    },
  };
}
