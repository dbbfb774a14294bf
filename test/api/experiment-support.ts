// Tracking records of an experiment's customers as the interpreter writes them, for report tests.
import { appendTracking } from '../../activities/tracking/ndjson-log.ts';
import type { TrackingRecord } from '../../workflows/contract/index.ts';

/** For each group, `customers` customers assigned (and, in control, held out; in an arm, asked), `acted` of whom acted. */
export async function appendTrackingBatch(
  dataDir: string,
  groups: Record<string, [customers: number, acted: number]>,
  prefix: string,
): Promise<void> {
  const at = (day: number) => new Date(Date.UTC(2026, 11, 7 + day, 15)).toISOString();
  for (const [arm, [customers, acted]] of Object.entries(groups))
    for (let i = 0; i < customers; i++) {
      const customerId = `${prefix}-${arm}-${i}`;
      const rec = (type: string, day: number, stage: TrackingRecord['stage'], data: Record<string, unknown> = {}): TrackingRecord => ({
        key: `journey:milestone-review-ask:${customerId}:test:1:${type}:1`,
        at: at(day),
        journeyId: 'milestone-review-ask',
        journeyVersion: 2,
        customerId,
        cycle: 1,
        stage,
        motion: 'review',
        experiment: 'review-ask-wording',
        arm,
        type,
        data,
      });
      await appendTracking(dataDir, rec('qualified', 0, 'qualify', { motion: 'review' }));
      await appendTracking(dataDir, rec('experiment.assigned', 0, 'qualify', { experiment: 'review-ask-wording', arm, cycle: 1 }));
      if (arm === 'control')
        await appendTracking(dataDir, rec('experiment.held_out', 1, 'invite', { experiment: 'review-ask-wording', attempt: 1 }));
      else await appendTracking(dataDir, rec('ask.sent', 1, 'invite', { attempt: 1 }));
      if (i < acted) await appendTracking(dataDir, rec('action.taken', 2, 'activate', { eventType: 'review.posted', cycle: 1 }));
    }
}
