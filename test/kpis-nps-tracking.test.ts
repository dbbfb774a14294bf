// The promoter rate's base is every customer who answered NPS: a passive (7-8) answer leaves a tracking record too.
// Real runs on the time-skipping server, the real tracking activity writing the NDJSON log the report reads.
import { cancelRunUpdate } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { runKpiReport } from '../reports/engine/kpi-engine.ts';
import { createTimeSkippingEnvWithSearchAttributes, createHarness, DAY, event, sendEvent, shippedPlan } from './interpreter/harness.ts';

const traits = { email: 'pat@customer.example', firstName: 'Pat', timezone: 'Europe/Berlin', healthScore: 90, segment: 'smb' };

describe('NPS in the KPI report (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('one promoter, one passive and one detractor: the promoter rate is 1 in 3, not 1 in 2', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const runs = [];
      for (const [id, score] of [
        ['nps-promoter', 10],
        ['nps-passive', 8],
        ['nps-detractor', 2],
      ] as const) {
        runs.push(await sendEvent(env.client, h, plan, id, event('nps.submitted', id, { score }, { traits })));
      }
      await env.sleep(DAY);
      for (const run of runs) await run.executeUpdate(cancelRunUpdate, { args: [{ actor: 'test', reason: 'flush tracking' }] });
      await env.sleep(1000);
      const { records } = await readTrackingLog(h.dataDir);
      const [kpis] = (await runKpiReport(h.dataDir, { kpis: ['promoter-rate'] })).groups.map((g) => g.values);
      expect(kpis['promoter-rate']).toBeCloseTo(1 / 3);
      expect(
        records
          .filter((r) => r.type === 'nps.received')
          .map((r) => [r.customerId, r.data?.nps])
          .sort(),
      ).toEqual([
        ['nps-detractor', 2],
        ['nps-passive', 8],
        ['nps-promoter', 10],
      ]);
    });
  });
});
