// What the run tells others: the tracking fields the KPI report reads (data.nps, data.amount, data.cycle) and the
// customer ledger's view of refused, held and reversed rewards (holdReward / refuseReward / reverseReward), with the
// real reward, contact and tracking activities against real customer:<id> workflows on the time-skipping server.
import { cancelRunUpdate, customerStateQuery, journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { runKpiReport } from '../reports/engine/kpi-engine.ts';
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

const traits = { email: 'casey@customer.example', firstName: 'Casey', timezone: 'Europe/Berlin', healthScore: 92, segment: 'mid-market' };

describe('tracking fields and reward ledger (time-skipping server, real customer workflows)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a reversed reward and a cap-refused one show in customer ledgers; the tracking log carries nps, amount and cycle', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const capped = await shippedPlan('nps-promoter-referral');
    capped.definition.motions.referral.reward!.caps = { maxAmount: 10, period: 'P365D' };
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const ledger = async (id: string) => (await env.client.workflow.getHandle(`customer:${id}`).query(customerStateQuery)).rewards;
      const promoter = await sendEvent(env.client, h, plan, 'led-1', event('nps.submitted', 'led-1', { score: 10 }, { traits }));
      const cappedRun = await sendEvent(env.client, h, capped, 'led-cap', event('nps.submitted', 'led-cap', { score: 9 }, { traits }));
      const detractor = await sendEvent(env.client, h, plan, 'led-det', event('nps.submitted', 'led-det', { score: 3 }, { traits }));
      await env.sleep(5 * DAY);
      expect((await state(promoter)).asks).toHaveLength(1);
      expect((await state(cappedRun)).asks).toHaveLength(1);

      // The capped advocate refers: the policy refuses (cap-amount), and the ledger says so.
      await cappedRun.signal(
        journeyEventSignal,
        event('referral.submitted', 'led-cap', { referralId: 'rc', referredEmail: 'pat@elsewhere.example' }),
      );
      await env.sleep(HOUR);
      const refused = await ledger('led-cap');
      expect(refused.map((e) => e.status)).toContain('refused');
      expect(refused.find((e) => e.status === 'refused')?.failure).toMatch(/cap reached/);

      // The promoter refers; the reward is held until the deal closes, paid, then reversed within the window.
      await promoter.signal(
        journeyEventSignal,
        event('referral.submitted', 'led-1', { referralId: 'r1', referredEmail: 'sam@elsewhere.example' }),
      );
      await env.sleep(HOUR);
      expect((await ledger('led-1')).map((e) => e.status)).toEqual(['held']);
      await promoter.signal(
        journeyEventSignal,
        event('opportunity.created', 'led-1', { referralId: 'r1', referrerId: 'led-1', amount: 8000 }),
      );
      await promoter.signal(
        journeyEventSignal,
        event('deal.closed_won', 'led-1', { referralId: 'r1', referrerId: 'led-1', amount: 12000, currency: 'USD' }),
      );
      await env.sleep(HOUR);
      expect((await ledger('led-1')).map((e) => e.status)).toEqual(['issued']);
      await promoter.signal(
        journeyEventSignal,
        event('referral.reversed', 'led-1', { referralId: 'r1', referrerId: 'led-1', reason: 'refund' }),
      );
      await env.sleep(HOUR);
      const reversed = await ledger('led-1');
      expect(reversed.map((e) => e.status)).toEqual(['reversed']);
      expect((await state(promoter)).rewards.map((r) => r.status)).toEqual(['reversed', 'reversed']);

      // Ending the runs writes their queued tracking records.
      for (const { workflowId } of [promoter, detractor, cappedRun]) {
        // The current run (the capped one has continued as new since its refused cycle).
        const current = env.client.workflow.getHandle(workflowId);
        await current.executeUpdate(cancelRunUpdate, { args: [{ actor: 'test', reason: 'flush tracking' }] });
        // (handle.result() on the time-skipping server skips time while it waits; a short sleep is enough here.)
        await env.sleep(1000);
        expect((await state(current)).stage).toBe('ended');
      }
      const { records } = await readTrackingLog(h.dataDir);
      const of = (customerId: string, type: string) => records.filter((r) => r.customerId === customerId && r.type === type);
      expect(of('led-1', 'delight')[0].data?.nps).toBe(10);
      expect(records.filter((r) => r.customerId === 'led-det').map((r) => [r.type, r.data?.nps])).toContainEqual(['suppressed', 3]);
      expect(of('led-1', 'action.taken')[0].data?.cycle).toBe(1);
      expect(of('led-1', 'referral.opportunity')[0].data).toMatchObject({ referralId: 'r1', amount: 8000, revenue: 8000 });
      expect(of('led-1', 'reward.reversed')[0].data).toMatchObject({ referralId: 'r1', amount: 150, currency: 'USD' });
      const [kpis] = (await runKpiReport(h.dataDir, { kpis: ['promoter-rate', 'reward-cost'] })).groups.map((g) => g.values);
      // led-1 (10) and led-cap (9) are promoters, led-det (3) is not.
      expect(kpis['promoter-rate']).toBeCloseTo(2 / 3);
      expect(kpis['reward-cost']).toBe(0);
    });
  });
});
