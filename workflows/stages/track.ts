// Track: every fact is written soon after it happens, whatever stage the run is in. track() (journey/context.ts)
// queues a record; a writer beside the stage loop writes what is queued with a regular recordTrackingBatch activity,
// scheduled by the workflow task of the fact (patch tracking-written-after-commit). A record therefore reaches the
// sink only once that task has committed: a task that times out (its worker killed or starved) wrote nothing, and
// its retry, which may see more events and take another path, writes only what the committed history holds. The
// activity runs within about a second of the fact; retries reuse the same input, so the sink, which skips keys it
// has, logs nothing twice. Records leave the queue only once written, so a write that fails (or a worker that dies
// mid-write) loses nothing: past the activity's quick attempts the queue is retried with backoff, shown to operators
// (state.trackingProblem, current details, a worker metric), and carried over continue-as-new (journey/handover.ts).
// The journey never waits for it. Histories that wrote with local activities inside the task (1.1.0 before the
// patch: one marker per write, but a record written by a task that never committed stayed in the log) replay those
// writes that way. Runs whose history 1.0.0 started (patch tracking-written-live, workflows/patches.ts) keep 1.0.0's
// way until they hand over: flushTracking at Track, before a handover, in an ended run.
import { condition, metricMeter, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { isPatched } from '../journey/patch-check.ts';
import type { JourneyActivities, TrackingRecord } from '../contract/index.ts';
import { effectInFlight, failureMessage, optional } from '../journey/activities.ts';
import { iso, type RunContext, type TrackingWriter } from '../journey/context.ts';
import { note } from '../journey/state.ts';
import { activationSettled } from '../journey/settle.ts';
import { showProgress } from '../journey/visibility.ts';
import { PATCH_TRACKING_WRITTEN_AFTER_COMMIT } from '../patches.ts';

/**
 * The write, scheduled by the workflow task that queued its records and so only once that task commits (patch
 * tracking-written-after-commit). Quick attempts (an append to the local disk; a worker killed mid-write is retried
 * after the timeout); past them the writer backs off on a durable timer.
 */
const committedSink = proxyActivities<Pick<JourneyActivities, 'recordTrackingBatch'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Before the patch: the write as a local activity inside the workflow task of the fact, for histories that did so. */
const inTaskSink = proxyLocalActivities<Pick<JourneyActivities, 'recordTrackingBatch'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

const MAX_BATCH = 500;
/** At most this long a due write waits for the effects in flight to answer (patch journey-bookkeeping-batched). */
export const TRACKING_DEFER_MS = 5_000;
const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;

export function newTrackingWriter(): TrackingWriter {
  return { writing: false, backingOff: false, closed: false };
}

/** Starts the writer; it runs for the life of the run and is never awaited. */
export function startTrackingWriter(ctx: RunContext): void {
  void writeLoop(ctx);
}

/** Until the queue is written, or the writer is backing off after a failure (then the queue is carried). */
export async function trackingSettled(ctx: RunContext): Promise<void> {
  const w = ctx.trackingWriter;
  await condition(() => !w.writing && (ctx.tracking.length === 0 || w.backingOff));
}

/** Stops new writes: the run hands over (what is still queued is carried) or ends. */
export function closeTracking(ctx: RunContext): void {
  ctx.trackingWriter.closed = true;
}

async function writeLoop(ctx: RunContext): Promise<void> {
  const w = ctx.trackingWriter;
  let backoffMs = FIRST_BACKOFF_MS;
  for (;;) {
    await condition(() => ctx.tracking.length > 0 || w.closed);
    if (w.closed) return;
    await activationSettled(() => ctx.tracking.length);
    // While an activity the run awaits is in flight, its answer is about to wake the run and add facts: those of
    // the whole chain of effects go out in one write once the run waits for a timer or an event. Bounded, so an
    // effect retried for an hour (a payout with the provider down) holds the facts at most TRACKING_DEFER_MS.
    if (ctx.bookkeepingBatched && effectInFlight()) {
      await condition(() => w.closed || !effectInFlight(), TRACKING_DEFER_MS);
      await activationSettled(() => ctx.tracking.length);
    }
    if (w.closed) return;
    const batch = ctx.tracking.slice(0, MAX_BATCH);
    let failure: unknown;
    w.writing = true;
    try {
      if (isPatched(ctx, PATCH_TRACKING_WRITTEN_AFTER_COMMIT))
        await committedSink.recordTrackingBatch.executeWithOptions({ summary: summary(batch) }, [batch]);
      else await inTaskSink.recordTrackingBatch(batch);
    } catch (err) {
      failure = err;
    } finally {
      w.writing = false;
    }
    if (failure === undefined) {
      // Only the writer takes records off the front; track() appends at the end meanwhile.
      ctx.tracking.splice(0, batch.length);
      w.backingOff = false;
      backoffMs = FIRST_BACKOFF_MS;
      if (ctx.state.trackingProblem) {
        note(ctx.state, ctx.now(), `tracking writes work again after ${ctx.state.trackingProblem.failures} failed tries`);
        ctx.state.trackingProblem = undefined;
        showProgress(ctx);
      }
      continue;
    }
    deferred(ctx, failure, backoffMs);
    w.backingOff = true;
    await condition(() => w.closed, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** The sink refused the write after its quick attempts: the records stay queued; operators see why and when next. */
function deferred(ctx: RunContext, failure: unknown, backoffMs: number): void {
  const problem = ctx.state.trackingProblem;
  ctx.state.trackingProblem = {
    reason: failureMessage(failure).slice(0, 300),
    failures: (problem?.failures ?? 0) + 1,
    since: problem?.since ?? iso(ctx.now()),
    retryAt: iso(ctx.now() + backoffMs),
  };
  metricMeter
    .createCounter('journey_tracking_writes_deferred', undefined, 'tracking writes a journey run put off after its quick attempts failed')
    .add(1, { journey: ctx.plan.journeyId });
  showProgress(ctx);
}

/**
 * 1.0.0's way, for runs whose history it started (ctx.trackingLive false): the queued records in one
 * recordTrackingBatch activity, at Track, before a handover and in an ended run. Nothing else writes them.
 */
export async function flushTracking(ctx: RunContext): Promise<void> {
  if (ctx.tracking.length === 0) return;
  const batch = ctx.tracking.splice(0, ctx.tracking.length);
  try {
    await optional.recordTrackingBatch.executeWithOptions({ startToCloseTimeout: '1 minute', summary: summary(batch) }, [batch]);
  } catch {
    note(ctx.state, ctx.now(), `${batch.length} tracking records failed to write`);
  }
}

/** What the Temporal UI shows for a write: how many records and of which types. */
function summary(batch: TrackingRecord[]): string {
  const types = [...new Set(batch.map((r) => r.type))];
  return `track ${batch.length}: ${types.slice(0, 4).join(', ')}${types.length > 4 ? ', …' : ''}`;
}
