// A journey that ended stays ended: maxCycles reached, onTimeout exit, or an operator cancel leaves the run resting
// as a tombstone, so the next routed event (signalWithStart on the same workflow id) reaches it instead of starting
// a fresh run at cycle 1 that would re-ask the customer or reuse send keys. Time-skipping server, NPS journey.
import { cancelRunUpdate } from '../workflows/contract/index.ts';
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

const traits = { email: 'end@example.com', firstName: 'Eve', timezone: 'America/New_York', healthScore: 90 };

describe('ended journeys (time-skipping server)', () => {
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

  it('a customer who reached maxCycles is never asked again: a later delight reaches the resting run, not a fresh one at cycle 1', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.listen.reentry = { allowed: true, minInterval: 'P90D', maxCycles: 1 };
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'max-1', event('nps.submitted', 'max-1', { score: 10 }, { traits }));
      // No answer: three asks, then Activate's 21 days run out and the only allowed cycle is over.
      await env.sleep(30 * DAY);
      expect(await h.outbox()).toHaveLength(3);
      const ended = await state(first);
      expect(ended.stage).toBe('ended');
      expect(ended.ended?.reason).toContain('1 cycles is the most');
      expect((await first.describe()).status.name).toBe('RUNNING');

      await env.sleep(100 * DAY);
      const again = await sendEvent(env.client, h, plan, 'max-1', event('nps.submitted', 'max-1', { score: 10 }));
      expect(again.signaledRunId).toBe(first.signaledRunId);
      await env.sleep(10 * DAY);
      expect(await h.outbox()).toHaveLength(3);
      const s = await state(again);
      expect(s.stage).toBe('ended');
      expect(s.cycle).toBe(1);
      // The ended cycle's asks stay for operators to read; none was added.
      expect(s.history.asks).toBe(3);
      expect(s.asks.map((a) => a.sendKey.split(':').slice(3).join(':'))).toEqual([
        '1:invite:referral:1',
        '1:invite:referral:2',
        '1:invite:referral:3',
      ]);
      expect(s.seenEventIds).toBe(2);
      await recordHistory('ended-run-rests', again);
    });
  });

  it('onTimeout: exit ends the journey for good: no ask after a new delight, and the state says why', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.activate.onTimeout = 'exit';
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'exit-1', event('nps.submitted', 'exit-1', { score: 9 }, { traits }));
      await env.sleep(30 * DAY);
      const asked = (await h.outbox()).length;
      expect(asked).toBe(3);
      expect((await state(first)).ended?.reason).toBe('no action within P21D (onTimeout: exit)');
      await env.sleep(120 * DAY);
      const again = await sendEvent(env.client, h, plan, 'exit-1', event('nps.submitted', 'exit-1', { score: 10 }));
      expect(again.signaledRunId).toBe(first.signaledRunId);
      await env.sleep(10 * DAY);
      expect(await h.outbox()).toHaveLength(asked);
      expect((await state(again)).stage).toBe('ended');
    });
  });

  it('an operator cancel is final: a later event neither restarts the journey nor asks', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'cxl-1', event('nps.submitted', 'cxl-1', { score: 10 }, { traits }));
      await env.sleep(HOUR);
      await first.executeUpdate(cancelRunUpdate, { args: [{ actor: 'ana', reason: 'account closed' }] });
      await env.sleep(DAY);
      const again = await sendEvent(env.client, h, plan, 'cxl-1', event('nps.submitted', 'cxl-1', { score: 10 }));
      expect(again.signaledRunId).toBe(first.signaledRunId);
      await env.sleep(10 * DAY);
      expect(await h.outbox()).toHaveLength(0);
      const s = await state(again);
      expect(s.stage).toBe('ended');
      expect(s.ended?.reason).toContain('account closed');
      // An ended run rejects operator actions that would steer it.
      await expect(again.executeUpdate(cancelRunUpdate, { args: [{}] })).rejects.toThrow();
    });
  });
});
