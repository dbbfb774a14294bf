// The time-skipping server: a journey's 30-day first-ask delay completes in seconds of real time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { createHarness, createTimeSkippingEnvWithSearchAttributes, DAY, sendEvent, shippedPlan, state } from './interpreter/harness.ts';

describe('time-skipping', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a 30-day first-ask delay completes in seconds and sends once', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.firstAskDelay = 'P30D';
    plan.definition.motions.referral.invite.sendWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: '00:00',
      end: '23:59',
    };
    const h = await createHarness(env.nativeConnection);
    const started = Date.now();
    await h.run(async () => {
      const handle = await sendEvent(env.client, h, plan, 'c1', {
        id: 'e1',
        type: 'nps.submitted',
        customerId: 'c1',
        occurredAt: '2026-01-01T00:00:00Z',
        data: { score: 10 },
        traits: { email: 'c1@example.com', healthScore: 90 },
      });
      const before = await env.currentTimeMs();
      await env.sleep(29 * DAY);
      expect(await h.outbox()).toHaveLength(0);
      await env.sleep(2 * DAY);
      expect(await h.outbox()).toHaveLength(1);
      const s = await state(handle);
      expect(Date.parse(s.asks[0].at) - before).toBeGreaterThanOrEqual(30 * DAY);
    });
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
