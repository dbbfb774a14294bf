// Suppression at every stage, on the time-skipping server with the shipped NPS referral journey:
// bad signals cancel pending asks, open issues hold asks until resolve + cool-down, opt-out ends asks, duplicates count once.
import { journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
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

const traits = (tz = 'America/New_York') => ({ email: 'pat@example.com', firstName: 'Pat', timezone: tz, healthScore: 90 });

describe('suppression (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** Move the test server's clock to the next Monday 15:00Z (10:00 in New York in winter, 11:00 in summer). */
  async function toMondayMorning() {
    const t = nextUtc(await env.currentTimeMs(), 1, 15);
    await env.sleep(t - (await env.currentTimeMs()));
    return t;
  }

  it('an escalation between the delight signal and the ask means no email; the ask comes only after resolve plus cool-down', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'esc-1', event('nps.submitted', 'esc-1', { score: 10 }, { traits: traits() }));
      await env.sleep(1 * DAY);
      await handle.signal(journeyEventSignal, event('escalation.opened', 'esc-1', { escalationId: 'X-1', severity: 'high' }));
      await env.sleep(10 * DAY);
      expect(await h.outbox()).toHaveLength(0);
      const held = await state(handle);
      expect(held.stage).toBe('invite');
      expect(held.suppressed?.reason).toContain('open escalation');
      // A resolve for another escalation does not release the hold (matchOn: escalationId).
      await handle.signal(journeyEventSignal, event('escalation.resolved', 'esc-1', { escalationId: 'OTHER' }));
      await env.sleep(1 * DAY);
      expect((await state(handle)).suppressed?.reason).toContain('open escalation');
      await handle.signal(journeyEventSignal, event('escalation.resolved', 'esc-1', { escalationId: 'X-1' }));
      const resolvedAt = await env.currentTimeMs();
      await env.sleep(13 * DAY);
      expect(await h.outbox()).toHaveLength(0);
      expect((await state(handle)).suppressed?.reason).toContain('cool-down');
      await env.sleep(4 * DAY);
      const sent = await h.outbox();
      expect(sent).toHaveLength(1);
      const s = await state(handle);
      expect(Date.parse(s.asks[0].at)).toBeGreaterThanOrEqual(resolvedAt + 14 * DAY);
    });
  });

  it('a bad signal in the same second a reminder timer fires means no reminder', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'race-1', event('nps.submitted', 'race-1', { score: 9 }, { traits: traits() }));
      await env.sleep(2 * DAY + HOUR);
      expect(await h.outbox()).toHaveLength(1);
      const before = await state(handle);
      const reminderAt = Date.parse(before.nextAction?.at ?? '');
      expect(before.nextAction?.what).toContain('invite #2');
      await env.sleep(reminderAt - (await env.currentTimeMs()) - 300);
      await handle.signal(journeyEventSignal, event('nps.submitted', 'race-1', { score: 3 }));
      await env.sleep(30 * DAY);
      expect(await h.outbox()).toHaveLength(1);
      const after = await state(handle);
      expect(after.stage).toBe('suppressed');
      expect(after.history.asks).toBe(1);
      expect(after.suppression.hold?.rule).toBe('detractor');
      expect(after.notes.map((n: { text: string }) => n.text).join('\n')).toMatch(/pending ask cancelled: detractor/);
    });
  });

  it('the same event sent 5 times starts one run and sends one ask', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const e = event('nps.submitted', 'dup-1', { score: 10 }, { traits: traits() });
      const handles = [];
      for (let i = 0; i < 5; i++) handles.push(await sendEvent(env.client, h, plan, 'dup-1', e));
      expect(new Set(handles.map((x) => x.signaledRunId)).size).toBe(1);
      await env.sleep(3 * DAY);
      expect(await h.outbox()).toHaveLength(1);
      const s = await state(handles[0]);
      expect(s.seenEventIds).toBe(1);
      expect(s.asks).toHaveLength(1);
    });
  });

  it('a spam complaint after the first ask opts the customer out: no reminder, ever', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'spam-1', event('nps.submitted', 'spam-1', { score: 10 }, { traits: traits() }));
      await env.sleep(2 * DAY + HOUR);
      await handle.signal(journeyEventSignal, event('email.spam_complaint', 'spam-1', { messageId: 'm1' }));
      await handle.signal(journeyEventSignal, event('nps.submitted', 'spam-1', { score: 10 }));
      await env.sleep(60 * DAY);
      expect(await h.outbox()).toHaveLength(1);
      const s = await state(handle);
      expect(s.stage).toBe('opted-out');
      expect(s.suppressed?.reason).toContain('spam complaint');
    });
  });

  it('a contact slot refused by the policy moves the ask to retryAt, never drops it', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    let retryAt = 0;
    h.slotPolicy = (req) => {
      if (h.slotRequests.length === 1) {
        retryAt = Date.parse(req.at) + 1 * DAY;
        /* Wednesday 10:00 → Thursday 10:00 New York */ return {
          granted: false,
          retryAt: new Date(retryAt).toISOString(),
          reason: 'global cap',
        };
      }
      return { granted: true };
    };
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'slot-1', event('nps.submitted', 'slot-1', { score: 10 }, { traits: traits() }));
      await env.sleep(2 * DAY + HOUR);
      expect(await h.outbox()).toHaveLength(0);
      await env.sleep(1 * DAY);
      expect(await h.outbox()).toHaveLength(1);
      const s = await state(handle);
      expect(Date.parse(s.asks[0].at)).toBeGreaterThanOrEqual(retryAt);
      expect(h.slotRequests.map((r) => r.sendKey)).toEqual([s.asks[0].sendKey, `${s.asks[0].sendKey}:slot-1`]);
      expect(h.slotRequests[0].journeyCap).toEqual({ maxAsks: 3, periodMs: 30 * DAY });
    });
  });
});
