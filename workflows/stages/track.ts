// Track: write the queued tracking records (stage changes and effects) through the tracking activity, each with
// its idempotency key in data.key. Conversions and revenue are counted as they arrive (journey/attribution.ts).
import { patched } from '@temporalio/workflow';
import { isNotRegistered, optional } from '../journey/activities.ts';
import type { RunContext } from '../journey/context.ts';
import { note } from '../journey/state.ts';

/** Runs from before this wrote one activity per record; one activity per flush keeps a cycle's history shorter. */
export const PATCH_TRACKING_BATCH = 'tracking-batch';

export async function flushTracking(ctx: RunContext): Promise<void> {
  if (ctx.tracking.length === 0) return;
  const batch = ctx.tracking.splice(0, ctx.tracking.length);
  if (patched(PATCH_TRACKING_BATCH)) {
    const types = [...new Set(batch.map((r) => r.type))];
    try {
      await optional.recordTrackingBatch.executeWithOptions(
        {
          startToCloseTimeout: '1 minute',
          summary: `track ${batch.length}: ${types.slice(0, 4).join(', ')}${types.length > 4 ? ', …' : ''}`,
        },
        [batch],
      );
    } catch (err) {
      if (isNotRegistered(err))
        note(
          ctx.state,
          ctx.now(),
          `no recordTrackingBatch activity on this worker: ${batch.length} tracking records kept only in this run's state`,
        );
      else note(ctx.state, ctx.now(), `${batch.length} tracking records failed to write`);
    }
    return;
  }
  const results = await Promise.allSettled(
    batch.map((rec) =>
      optional.recordTracking.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `track ${rec.type}` }, [rec]),
    ),
  );
  const missing = results.some((r) => r.status === 'rejected' && isNotRegistered(r.reason));
  const failed = results.filter((r) => r.status === 'rejected' && !isNotRegistered(r.reason)).length;
  if (missing)
    note(ctx.state, ctx.now(), `no recordTracking activity on this worker: ${batch.length} tracking records kept only in this run's state`);
  if (failed) note(ctx.state, ctx.now(), `${failed} tracking records failed to write`);
}
