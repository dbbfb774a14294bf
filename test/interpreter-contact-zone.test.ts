// The customer workflow's quiet hours read in the zone the journey's send window used (sent with the slot
// request): a Tokyo customer whose own customer:<id> workflow knows no zone is still asked at 09:00 Tokyo time.
import { customerStateQuery } from '../workflows/contract/index.ts';
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

describe('contact slots in the customer zone (time-skipping server, real customer workflow)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a Tokyo ask at 09:00 JST (00:00 UTC, inside UTC quiet hours 21:00-08:00) is granted, not pushed to 08:00 UTC', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.firstAskDelay = 'PT1H';
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const friday23Tokyo = nextUtc(await env.currentTimeMs(), 5, 14); // Friday 14:00Z = 23:00 JST
      await env.sleep(friday23Tokyo - (await env.currentTimeMs()));
      const traits = { email: 'aiko@example.jp', firstName: 'Aiko', timezone: 'Asia/Tokyo', healthScore: 90 };
      // The event reaches only the journey run (not customer:<id>), so the customer workflow has no timezone trait.
      const handle = await sendEvent(
        env.client,
        h,
        plan,
        'tokyo-zone-1',
        event('nps.submitted', 'tokyo-zone-1', { score: 10 }, { traits }),
      );
      await env.sleep(3 * DAY);
      const s = await state(handle);
      expect(s.asks).toHaveLength(1);
      const monday09Tokyo = friday23Tokyo + 2 * DAY + 10 * HOUR; // Monday 00:00Z
      expect(Date.parse(s.asks[0].at) - monday09Tokyo).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.asks[0].at) - monday09Tokyo).toBeLessThan(60_000);
      const customer = await env.client.workflow.getHandle('customer:tokyo-zone-1').query(customerStateQuery);
      expect(customer.traits?.timezone).toBeUndefined();
      expect(customer.contactHistory.map((a) => a.sendKey)).toEqual(['journey:nps-promoter-referral:tokyo-zone-1:1:invite:referral:1']);
    });
  });
});
