// A journey run's bookkeeping in few commands (patch journey-bookkeeping-batched): the search attributes a workflow
// activation changes go out in one upsert, and the tracking writer writes no batch while an activity the run awaits is
// in flight, so a chain of effects' facts go out together; yet a fact waits at most TRACKING_DEFER_MS for an effect
// that does not answer (a payout retried while its provider is down). The shipped nps-promoter-referral journey with
// the real activities and customer:<id> workflows on the time-skipping server.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { startRewardReceiver, type RewardReceiver } from './rewards/receiver.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  DAY,
  event,
  HOUR,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { cancelRunUpdate } from '../workflows/contract/index.ts';
import { PATCH_JOURNEY_1_1_PATHS_MARKED_ONCE } from '../workflows/patches.ts';
import { TRACKING_DEFER_MS } from '../workflows/stages/track.ts';

const SECRET = 'bookkeeping-secret';
const traits = (email: string) => ({ email, firstName: 'Kim', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' });

describe('bookkeeping batched per task (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let receiver: RewardReceiver;
  beforeEach(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterEach(async () => {
    await env?.teardown();
  }, 60_000);
  beforeAll(async () => {
    receiver = await startRewardReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });

  /** A run through one referral cycle; `beforeClose` runs just before the deal closes. */
  async function cycle(customer: string, beforeClose: () => Promise<void> = async () => {}) {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, {
      client: env.client,
      rewardWebhook: { url: receiver.url, secret: SECRET, timeoutMs: 15_000 },
    });
    h.alsoEnd(`customer:friend@${customer}.example`);
    const go = async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        customer,
        event('nps.submitted', customer, { score: 10 }, { traits: traits(`${customer}@advocate.example`) }),
      );
      const firstRunId = (await run.describe()).runId;
      await env.sleep(5 * DAY);
      await run.signal(
        'journeyEvent',
        event('referral.submitted', customer, { referralId: 'r1', referredEmail: `friend@${customer}.example` }),
      );
      await env.sleep(HOUR);
      await beforeClose();
      await run.signal('journeyEvent', event('deal.closed_won', customer, { referralId: 'r1', referrerId: customer, amount: 1000 }));
      return { run, firstRunId };
    };
    return { h, go };
  }

  it('in a whole cycle, no tracking write goes out while an effect is in flight, and one upsert per activation', async () => {
    const { h, go } = await cycle('bk-cycle');
    await h.run(async () => {
      const { run, firstRunId } = await go();
      // The cycle ends (thank-you, then Expand's wait) in continue-as-new, some 50 days after the answer.
      const first = env.client.workflow.getHandle(run.workflowId, firstRunId);
      for (let i = 0; i < 12 && (await first.describe()).status.name === 'RUNNING'; i++) await env.sleep(10 * DAY);
      expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
      const { events } = await first.fetchHistory();
      const history = events ?? [];
      // The cycle did its work: an ask, two rewards issued, a thank-you.
      const types = (await readTrackingLog(h.dataDir)).records.map((r) => r.type);
      expect(types.filter((t) => t === 'reward.issued')).toHaveLength(2);
      expect(types).toContain('thanks.sent');

      const writes = trackingWritesWithEffectsInFlight(history);
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.filter((w) => w.inFlight.length > 0)).toEqual([]);

      for (const task of upsertsPerTask(history))
        expect(task.journeyUpserts, JSON.stringify(task)).toBeLessThanOrEqual(1 + task.localActivities);

      // One patch marker for every 1.1.0 patch the cycle passes (patch journey-1-1-paths-marked-once), and so one
      // TemporalChangeVersion upsert beside it: each patch asked on its own wrote 6 of each here.
      expect(patchMarkers(history)).toEqual([PATCH_JOURNEY_1_1_PATHS_MARKED_ONCE]);
      const changeVersionUpserts = history.filter((e) =>
        Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes(
          'TemporalChangeVersion',
        ),
      );
      expect(changeVersionUpserts).toHaveLength(1);
    });
  }, 180_000);

  it('a fact waits at most TRACKING_DEFER_MS for an effect that does not answer: a payout retried with its receiver down', async () => {
    const { h, go } = await cycle('bk-down', () => receiver.goDown());
    await h.run(async () => {
      try {
        const { run } = await go();
        await env.sleep(60_000);
        const types = (await readTrackingLog(h.dataDir)).records.map((r) => r.type);
        // The deal's fact is in the log while the referrer's payout is still being tried.
        expect(types).toContain('referral.closed_won');
        expect(types).not.toContain('reward.issued');
        const referrer = (await state(run)).rewards.find((r) => r.role === 'referrer');
        expect(referrer).toMatchObject({ status: 'held', issuing: true });
      } finally {
        await receiver.comeBack();
      }
    });
  }, 180_000);

  it("one run's effect in flight holds no other run's tracking writes: the worker's runs share the workflow modules", async () => {
    // worker/worker.ts preloads the workflow modules once for every run of the worker; the count of effects in flight
    // must still be each run's own. Run A's referrer payout is retried with its receiver down; run B, another customer
    // on the same worker, starts meanwhile and must not wait TRACKING_DEFER_MS on A's payout before each write.
    const { h, go } = await cycle('bk-share-a', () => receiver.goDown());
    await h.run(async () => {
      try {
        const { run: a } = await go();
        await env.sleep(10_000);
        expect((await state(a)).rewards.find((r) => r.role === 'referrer')).toMatchObject({ status: 'held', issuing: true });
        const plan = await shippedPlan('nps-promoter-referral');
        const b = await sendEvent(
          env.client,
          h,
          plan,
          'bk-share-b',
          event('nps.submitted', 'bk-share-b', { score: 10 }, { traits: traits('bk-share-b@advocate.example') }),
        );
        await env.sleep(DAY);
        expect((await state(a)).rewards.find((r) => r.role === 'referrer')).toMatchObject({ status: 'held', issuing: true });
        const { events } = await b.fetchHistory();
        const history = events ?? [];
        expect(trackingWritesWithEffectsInFlight(history).length).toBeGreaterThan(0);
        const defers = deferTimers(history);
        expect(defers.filter((d) => d.inFlight.length === 0)).toEqual([]);
      } finally {
        await receiver.comeBack();
      }
    });
  }, 180_000);

  it('a cancel while the ask waits: no workflow task fails, and the run shows its end in its search attributes', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'bk-cancel',
        event('nps.submitted', 'bk-cancel', { score: 10 }, { traits: traits('bk-cancel@advocate.example') }),
      );
      // The run reaches the ask's wait after its first tasks; a query answered before them (a busy machine) sees none.
      await expect.poll(async () => (await state(run)).nextAction?.what ?? '', { timeout: 30_000 }).toContain('invite');
      // Not skip-wait first, as docs/operators.md does: cancelling the ask's slot or send as it completes meets the
      // Java test server's ACTIVITY_UNKNOWN on the task's completion about 1 run in 3, on the code before this patch
      // as after (the update then never answers); that race is the test server's, not this test's subject.
      await run.executeUpdate(cancelRunUpdate, { args: [{ actor: 'sam', reason: 'customer asked' }] });
      await env.sleep(HOUR);
      const { events } = await run.fetchHistory();
      const failed = (events ?? []).flatMap((e) =>
        e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message] : [],
      );
      expect(failed).toEqual([]);
      expect((await state(run)).stage).toBe('ended');
      const shown = (await run.describe()).searchAttributes;
      expect(shown.JourneyStage).toEqual(['ended']);
    });
  }, 120_000);
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The patch ids of the history's patch markers, in order. */
function patchMarkers(history: HistoryEvent[]): string[] {
  return history.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

/** Each recordTrackingBatch the run scheduled, with the other activities scheduled and not yet closed at that point. */
function trackingWritesWithEffectsInFlight(history: HistoryEvent[]): { eventId: string; inFlight: string[] }[] {
  return withEffectsInFlight(history, (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordTrackingBatch');
}

/** Each timer of TRACKING_DEFER_MS the run started (the tracking writer waiting on an effect), with the run's own
 *  activities other than tracking writes scheduled and not yet closed at that point. */
function deferTimers(history: HistoryEvent[]): { eventId: string; inFlight: string[] }[] {
  return withEffectsInFlight(history, (e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout != null && tsToMs(timeout) === TRACKING_DEFER_MS;
  });
}

/** The events `at` picks, each with the activities other than tracking writes scheduled and not yet closed then. */
function withEffectsInFlight(history: HistoryEvent[], at: (e: HistoryEvent) => boolean): { eventId: string; inFlight: string[] }[] {
  const open = new Map<string, string>();
  const picked: { eventId: string; inFlight: string[] }[] = [];
  for (const e of history) {
    if (at(e)) picked.push({ eventId: String(e.eventId), inFlight: [...open.values()] });
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name != null && name !== 'recordTrackingBatch') open.set(String(e.eventId), name);
    const closedBy =
      e.activityTaskCompletedEventAttributes?.scheduledEventId ??
      e.activityTaskFailedEventAttributes?.scheduledEventId ??
      e.activityTaskTimedOutEventAttributes?.scheduledEventId ??
      e.activityTaskCanceledEventAttributes?.scheduledEventId;
    if (closedBy != null) open.delete(String(closedBy));
  }
  return picked;
}

/** Per workflow task: the upserts of the journey's own attributes (not the SDK's TemporalChangeVersion beside a
 *  patch marker) and the local activities it ran (each resolution is an activation of its own within the task). */
function upsertsPerTask(history: HistoryEvent[]): { task: number; journeyUpserts: number; localActivities: number }[] {
  const tasks = [{ task: 0, journeyUpserts: 0, localActivities: 0 }];
  for (const e of history) {
    const current = tasks[tasks.length - 1];
    const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
    if (fields.some((f) => f !== 'TemporalChangeVersion')) current.journeyUpserts++;
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') current.localActivities++;
    if (e.workflowTaskCompletedEventAttributes) tasks.push({ task: tasks.length, journeyUpserts: 0, localActivities: 0 });
  }
  return tasks;
}
