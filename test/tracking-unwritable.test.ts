// A tracking log that cannot be written for a while (time-skipping server, real activities): the journeys go on, the
// records wait in the runs, nothing is capped or dropped, operators see why (state and current details), a run
// that continues as new in the meantime carries its unwritten records, and once the folder is writable again every
// record is written once, with the time of its fact, without restarting anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { trackingDir } from '../activities/tracking/log-files.ts';
import { journeyEventSignal } from '../workflows/contract/index.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  HOUR,
  nextUtc,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const traits = { email: 'una@customer.example', firstName: 'Una', timezone: 'UTC', healthScore: 90, segment: 'smb' };

describe('tracking while the log cannot be written (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('the ask goes out, 420 records wait uncapped across a handover, operators see why, and all are written once the log heals', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    // A directory where a log file should be: every read of the folder fails (EISDIR) until it is gone.
    const blocker = join(trackingDir(h.dataDir), 'blocked.ndjson');
    mkdirSync(blocker, { recursive: true });
    await h.run(async () => {
      const start = nextUtc(await env.currentTimeMs(), 1, 10);
      await env.sleep(start - (await env.currentTimeMs()));
      const first = await sendEvent(env.client, h, plan, 'una', event('nps.submitted', 'una', { score: 10 }, { traits }), {
        continueAsNewAfter: 120,
      });
      // A customer who answers the survey 210 times: more records than the old in-memory queue (200) kept.
      const talker = await sendEvent(
        env.client,
        h,
        plan,
        'tal',
        event('nps.submitted', 'tal', { score: 8 }, { traits: { ...traits, email: 'tal@customer.example' } }),
      );
      for (let i = 1; i < 210; i++) await talker.signal(journeyEventSignal, event('nps.submitted', 'tal', { score: 7 + (i % 2) }));

      await env.sleep(2.5 * DAY);
      const current = env.client.workflow.getHandle(first.workflowId);
      const s = await state(current);
      // Never held: the ask went out on day 2, its record waits in the run with the others.
      expect((await h.outbox()).map((m) => m.sendKey)).toEqual([expect.stringContaining(':1:invite:referral:1')]);
      expect(s.asks).toHaveLength(1);
      expect(s.trackingProblem).toMatchObject({ reason: expect.stringMatching(/EISDIR/) });
      expect(s.trackingProblem!.failures).toBeGreaterThan(1);
      expect(s.pendingTracking).toBeGreaterThanOrEqual(4);
      const meta = (await current.query('__temporal_workflow_metadata')) as { currentDetails: string };
      expect(meta.currentDetails).toMatch(
        /^- tracking not written: \d+ records wait in this run · \d+ failed tries since .* · trying again at /m,
      );
      // The growing history handed the run over while its records were unwritten: they travelled with it.
      expect((await current.describe()).runId).not.toBe(first.signaledRunId);
      // Each passive answer is two facts: heard (nps.received) and not acted on (event.ignored, condition-false).
      expect((await state(talker)).pendingTracking).toBe(420);

      rmdirSync(blocker);
      await env.sleep(2 * HOUR); // past the writer's longest backoff
      const { records, duplicates, badLines } = await readTrackingLog(h.dataDir);
      expect(duplicates).toBe(0);
      expect(badLines).toEqual([]);
      const una = records.filter((r) => r.customerId === 'una').map((r) => r.type);
      expect(una).toEqual(expect.arrayContaining(['nps.received', 'delight', 'qualified', 'ask.sent']));
      const delight = records.find((r) => r.customerId === 'una' && r.type === 'delight')!;
      expect(Date.parse(delight.at) - start).toBeLessThan(10 * 60_000); // the time of the fact, not of the write
      expect(Date.parse(delight.loggedAt!)).toBeGreaterThan(0);
      expect(records.filter((r) => r.customerId === 'tal' && r.type === 'nps.received')).toHaveLength(210);
      expect(records.filter((r) => r.customerId === 'tal' && r.type === 'event.ignored')).toHaveLength(210);
      const after = await state(current);
      expect(after.trackingProblem).toBeUndefined();
      expect(after.pendingTracking).toBe(0);
      expect(after.notes.map((n: { text: string }) => n.text).join('\n')).toMatch(/tracking writes work again after \d+ failed tries/);
    });
  }, 400_000);
});
