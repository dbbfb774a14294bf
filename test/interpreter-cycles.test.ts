// Within a cycle: who gets which invite, how many asks at most, who is not asked and why, and what a hold does to
// the cycle's asks. Time-skipping server, the shipped NPS referral journey, the real email activity (outbox).
import { journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { recordHistory } from './interpreter/record-history.ts';
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

const traits = (extra: Record<string, unknown> = {}) => ({
  email: 'cy@example.com',
  firstName: 'Cy',
  timezone: 'America/New_York',
  healthScore: 90,
  ...extra,
});

describe('cycles (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function toMondayMorning() {
    await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
  }

  it('after a hold and its cool-down, a new delight starts a new cycle whose first ask uses the first-ask template', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'hold-1', event('nps.submitted', 'hold-1', { score: 10 }, { traits: traits() }));
      await env.sleep(2 * DAY + HOUR);
      expect((await state(handle)).asks.map((a) => a.template)).toEqual(['templates/referral-invite.mustache']);
      // A detractor score puts the customer on hold for 60 days: the reminder is cancelled.
      await handle.signal(journeyEventSignal, event('nps.submitted', 'hold-1', { score: 3 }));
      await env.sleep(DAY);
      expect((await state(handle)).stage).toBe('suppressed');
      // Past the cool-down and the re-entry interval (90 days from the held cycle's start).
      await env.sleep(95 * DAY);
      const listening = await state(handle);
      expect(listening.stage).toBe('listen');
      expect(listening.cycle).toBe(2);
      expect(listening.asks).toEqual([]);

      await handle.signal(journeyEventSignal, event('nps.submitted', 'hold-1', { score: 10 }));
      await env.sleep(5 * DAY);
      const s = await state(handle);
      expect(s.asks).toHaveLength(1);
      expect(s.asks[0]).toMatchObject({
        attempt: 1,
        template: 'templates/referral-invite.mustache',
        status: 'sent',
        sendKey: 'journey:nps-promoter-referral:hold-1:2:invite:referral:1',
      });
      // Activate counts from this ask, not from the held cycle's: it is still waiting for the referral.
      expect(s.stage).toBe('invite');
      expect(s.nextAction?.what).toContain('invite #2');
      const sent = await h.outbox();
      expect(sent.map((m) => m.sendKey)).toEqual([
        'journey:nps-promoter-referral:hold-1:1:invite:referral:1',
        'journey:nps-promoter-referral:hold-1:2:invite:referral:1',
      ]);
      await recordHistory('listen-again-resets-asks', handle);
    });
  });

  it('an enterprise customer gets the enterprise variant of the invite; a mid-market one the invite itself', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const big = await sendEvent(
        env.client,
        h,
        plan,
        'var-ent',
        event('nps.submitted', 'var-ent', { score: 10 }, { traits: traits({ segment: 'enterprise', email: 'big@example.com' }) }),
      );
      const mid = await sendEvent(
        env.client,
        h,
        plan,
        'var-mid',
        event('nps.submitted', 'var-mid', { score: 10 }, { traits: traits({ segment: 'mid-market', email: 'mid@example.com' }) }),
      );
      await env.sleep(2 * DAY + HOUR);
      expect((await state(big)).asks.map((a) => a.template)).toEqual(['referral-invite-enterprise']);
      expect((await state(mid)).asks.map((a) => a.template)).toEqual(['templates/referral-invite.mustache']);
      const sent = await h.outbox();
      expect(sent.find((m) => m.to === 'big@example.com')?.templateAlias).toBe('referral-invite-enterprise');
      expect(sent.find((m) => m.to === 'mid@example.com')?.templateAlias).toBeUndefined();
    });
  });

  it('maxAttempts caps the asks below the reminders listed: two asks, then only waiting for the action', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.maxAttempts = 2; // the plan lists two reminders: three asks without the cap
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'cap-1', event('nps.submitted', 'cap-1', { score: 10 }, { traits: traits() }));
      await env.sleep(18 * DAY);
      const s = await state(handle);
      expect(s.asks.map((a) => a.attempt)).toEqual([1, 2]);
      expect(s.stage).toBe('activate');
      expect(await h.outbox()).toHaveLength(2);
    });
  });

  it('a customer with a low health score is not asked, and the state says which rule disqualified them and why', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const low = await sendEvent(
        env.client,
        h,
        plan,
        'dq-1',
        event('nps.submitted', 'dq-1', { score: 10 }, { traits: traits({ healthScore: 40 }) }),
      );
      const risky = await sendEvent(
        env.client,
        h,
        plan,
        'dq-2',
        event('nps.submitted', 'dq-2', { score: 10 }, { traits: traits({ churnRisk: 'high' }) }),
      );
      await env.sleep(10 * DAY);
      expect(await h.outbox()).toHaveLength(0);
      const a = await state(low);
      expect(a.stage).toBe('listen');
      expect(a.qualification).toMatchObject({ rule: 'low-health', motion: 'disqualify', reason: 'low-health: health score below 60' });
      const b = await state(risky);
      expect(b.qualification).toMatchObject({
        rule: 'high-churn-risk',
        motion: 'disqualify',
        reason: 'high-churn-risk: high churn risk: not a moment to ask',
      });
    });
  });
});
