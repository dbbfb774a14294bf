// Track: write the queued tracking records (stage changes and effects) through the tracking activity, each with
// its idempotency key in data.key, in one activity per flush (a cycle's history stays short). Conversions and
// revenue are counted as they arrive (journey/attribution.ts).
import { optional } from '../journey/activities.ts';
import type { RunContext } from '../journey/context.ts';
import { note } from '../journey/state.ts';

export async function flushTracking(ctx: RunContext): Promise<void> {
  if (ctx.tracking.length === 0) return;
  const batch = ctx.tracking.splice(0, ctx.tracking.length);
  const types = [...new Set(batch.map((r) => r.type))];
  try {
    await optional.recordTrackingBatch.executeWithOptions(
      {
        startToCloseTimeout: '1 minute',
        summary: `track ${batch.length}: ${types.slice(0, 4).join(', ')}${types.length > 4 ? ', …' : ''}`,
      },
      [batch],
    );
  } catch {
    note(ctx.state, ctx.now(), `${batch.length} tracking records failed to write`);
  }
}
