// Activity recordTrackingBatch: the records a journey run produced since its last write, appended once per key to the
// NDJSON log in the data folder (ndjson-log.ts). Journeys run it as a local activity the moment a fact happens
// (workflows/stages/track.ts), so it must be quick and never wait on anything but the local disk. A webhook /
// analytics sink (JOURNEY_TRACKING_WEBHOOK_URL) is fed from the log by the worker's forwarder (webhook-forwarder.ts).
// Every write, failure and repair is counted on the worker's metrics endpoint (the SDK's meter: the counters
// journey_tracking_records_written, journey_tracking_write_failures, journey_tracking_torn_bytes_repaired).
import { activityMeter } from '../activity-meter.ts';
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import { trackingLogWriter, TrackingLogWriter, type TrackingLogOptions } from './ndjson-log.ts';
import { trackingKey } from './tracking-key.ts';

export interface TrackingDeps extends TrackingLogOptions {
  dataDir: string;
}

export function trackingDepsFromEnv(dataDir: string): TrackingDeps {
  return { dataDir };
}

function count(name: string, description: string, value: number, tags?: Record<string, string>): void {
  if (value > 0) activityMeter()?.createCounter(name, 'records', description).add(value, tags);
}

export function createTrackingActivities(deps: TrackingDeps) {
  // Injected faults or a chosen file name get a writer of their own; otherwise the process shares one per folder.
  const writer = deps.write || deps.fileName ? new TrackingLogWriter(deps.dataDir, deps) : trackingLogWriter(deps.dataDir);

  async function append(recs: TrackingRecord[]) {
    try {
      const result = await writer.append(recs);
      count('journey_tracking_records_written', 'tracking records appended to the log', result.written);
      count('journey_tracking_torn_bytes_repaired', 'bytes of a torn last line cut off before an append', result.repairedBytes);
      return result;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      count('journey_tracking_write_failures', 'tracking appends that failed (the journey keeps the records and retries)', 1, { code });
      throw err;
    }
  }

  return {
    /** The records of one write, in order; a retry after a partial append skips the keys already logged. */
    async recordTrackingBatch(recs: TrackingRecord[]): Promise<{ written: number; skipped: number }> {
      const { written, skipped } = await append(recs);
      return { written, skipped };
    },
    /** One record; idempotent per key (rec.key, or a hash of its content). */
    async recordTracking(rec: TrackingRecord): Promise<{ key: string; written: boolean }> {
      const { written } = await append([rec]);
      return { key: trackingKey(rec), written: written === 1 };
    },
  };
}
