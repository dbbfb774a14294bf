// A conversion the engine took in time is attributed however late a worker gets to it. Found by the chaos suite
// (bench/chaos.ts): a closed-won taken 19 s after its referral, processed minutes later by a worker back from an
// outage, fell outside the (demo-scaled) attribution window judged by the workflow's now, and the advocate's held
// reward was forfeited. The API stamps `receivedAt` when Temporal takes an event (api/ingest.ts); the window is
// measured to it. Here the worker is away 15 days (the time-skipping server runs on without it, as Temporal keeps the
// signal), and the run hears the closed-won only on day 185 after the referral. Time-skipping server, real activities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { journeyEventSignal, journeyWorkflowId } from '../workflows/contract/index.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  HOUR,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const traits = (email: string) => ({ email, firstName: 'Lee', timezone: 'America/New_York', healthScore: 88, segment: 'smb' });

describe('attribution measured to when the engine took the event (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a closed-won taken on day 170 of the 180-day window counts, though the run hears it on day 185; one taken on day 181 does not', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const submitted: Record<string, number> = {};
      for (const c of ['late-in', 'late-out']) {
        await sendEvent(env.client, h, plan, c, event('nps.submitted', c, { score: 10 }, { traits: traits(`${c}@advocate.example`) }));
      }
      await env.sleep(5 * DAY);
      for (const c of ['late-in', 'late-out']) {
        submitted[c] = await env.currentTimeMs();
        await env.client.workflow
          .getHandle(journeyWorkflowId(plan.journeyId, c))
          .signal(journeyEventSignal, event('referral.submitted', c, { referralId: `${c}-ref`, referredEmail: `friend@${c}.example` }));
      }
      await env.sleep(185 * DAY);
      const taken = { 'late-in': 170, 'late-out': 181 };
      for (const c of ['late-in', 'late-out'] as const) {
        const closedWon = event(
          'deal.closed_won',
          `${c}-friend`,
          { referralId: `${c}-ref`, referrerId: c, amount: 7000 },
          { receivedAt: new Date(submitted[c] + taken[c] * DAY).toISOString() },
        );
        await env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, c)).signal(journeyEventSignal, closedWon);
      }
      await env.sleep(HOUR);
      const inWindow = await state(env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, 'late-in')));
      expect(inWindow.history).toMatchObject({ referrals: 1, conversions: 1, referredRevenue: 7000 });
      const outside = await state(env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, 'late-out')));
      expect(outside.history).toMatchObject({ referrals: 1, conversions: 0, referredRevenue: 0 });
      expect(outside.notes.map((n) => n.text).join('\n')).toMatch(/outside the attribution window 180 days/);
      const { records } = await readTrackingLog(h.dataDir);
      expect(records.filter((r) => r.type === 'referral.closed_won').map((r) => r.customerId)).toEqual(['late-in']);
    });
  });
});
