// The interpreter on the time-skipping server with the shipped NPS referral journey: one test per rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  DAY,
  event,
  HOUR,
  nextUtc,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

describe('interpreter (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a promoter at 23:00 Friday in Asia/Tokyo is first asked at 09:00 on the next working day in Tokyo', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.firstAskDelay = 'PT1H';
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const friday23Tokyo = nextUtc(await env.currentTimeMs(), 5, 14); // Friday 14:00Z = 23:00 JST
      await env.sleep(friday23Tokyo - (await env.currentTimeMs()));
      const traits = { email: 'aiko@example.jp', firstName: 'Aiko', timezone: 'Asia/Tokyo', healthScore: 90 };
      const handle = await sendEvent(env.client, h, plan, 'tokyo-1', event('nps.submitted', 'tokyo-1', { score: 10 }, { traits }));
      await env.sleep(3 * DAY);
      const s = await state(handle);
      expect(s.asks).toHaveLength(1);
      // Monday 00:00Z = 09:00 JST (the send activity itself takes a moment of server time)
      expect(Date.parse(s.asks[0].at) - (friday23Tokyo + 2 * DAY + 10 * HOUR)).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.asks[0].at) - (friday23Tokyo + 2 * DAY + 10 * HOUR)).toBeLessThan(60_000);
      const sent = await h.outbox();
      expect(sent).toHaveLength(1);
      expect(sent[0].to).toBe('aiko@example.jp');
      expect(sent[0].sendKey).toBe('journey:nps-promoter-referral:tokyo-1:1:invite:referral:1');
    });
  });
});
