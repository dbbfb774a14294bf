// Live tracking issues local activities whose number and order must not depend on anything a replay may see
// differently. The replay test replays recorded histories under another workflow id (the file's name), so a
// decision that compared ids (the pending ask by its send key) wrote an ask.moved in replay that the live run never
// wrote, and the run resumed after a handover failed to replay. Time-skipping server, real activities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { journeyEventSignal, journeyWorkflowId } from '../workflows/contract/index.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  HOUR,
  nextUtc,
  sendEvent,
  shippedPlan,
} from './interpreter/harness.ts';

const traits = { email: 'rey@example.com', firstName: 'Rey', timezone: 'America/New_York', healthScore: 90 };

describe('live tracking replays (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('every run of a chain handed over in the middle of its Invite wait replays, under another workflow id too', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    const workflowId = journeyWorkflowId(plan.journeyId, 'rey');
    await h.run(async () => {
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
      await sendEvent(env.client, h, plan, 'rey', event('nps.submitted', 'rey', { score: 10 }, { traits }), { continueAsNewAfter: 60 });
      await env.sleep(2 * DAY + HOUR);
      // Events that matter to no stage grow the history until the run hands over while waiting for its reminder.
      const handle = env.client.workflow.getHandle(workflowId);
      await Promise.all(Array.from({ length: 40 }, () => handle.signal(journeyEventSignal, event('page.viewed', 'rey', { path: '/' }))));
      await env.sleep(6 * DAY); // the reminder, moved by the send window, goes out in the resumed run
      expect((await h.outbox()).length).toBe(2);

      const runs: string[] = [];
      let runId: string | undefined = (await handle.describe()).runId;
      while (runId) {
        runs.unshift(runId);
        const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      }
      expect(runs.length).toBeGreaterThan(1);
      // Each run under another id, and the latest also under its own.
      const histories = await Promise.all(
        [...runs.map((runId, i) => [`another-id-${i}`, runId]), [workflowId, runs.at(-1)!]].map(async ([id, runId]) => ({
          workflowId: id,
          history: await env.client.workflow.getHandle(workflowId, runId).fetchHistory(),
        })),
      );
      const results = [];
      for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.push(r);
      expect(results.map((r) => [r.workflowId, r.error?.message])).toEqual(histories.map((x) => [x.workflowId, undefined]));
    });
  }, 180_000);
});
