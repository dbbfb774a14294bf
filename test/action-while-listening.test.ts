// An action event that reaches a run with no ask open (it listens again) is never dropped without a trace: it leaves
// an action.ignored record naming the event and why (patch action-ignored-recorded). The chaos subset's
// chaos-009 (top-advocate) found it: promoted to the case study after 3 closed-won referrals, its owner-outreach ask
// could not go out (no traits.ownerEmail), the cycle ended early, and the case_study.published that came after left
// no record at all. Also: an ended run's action, and the owner task's two cases (an action while the task waits is
// taken; one after the no-answer deadline ended the cycle is recorded as ignored). Time-skipping server, the shipped
// plans, real activities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cancelRunUpdate, journeyEventSignal } from '../workflows/contract/index.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
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

// chaos-009's traits (scripts/demo/scenarios.json top-advocate): enterprise, healthy, and no account owner's email.
const traits = { email: 'ada.knuth@wonka.example', firstName: 'Ada', timezone: 'America/New_York', segment: 'enterprise', healthScore: 88 };

describe('an action that reaches a listening run (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('chaos-009: the case study promoted to could not be asked (no owner email), and the case_study.published after it is recorded as action.ignored, not lost', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      // Monday 14:00 UTC: the first ask (P2D) falls on Wednesday inside the New York window.
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 14) - (await env.currentTimeMs()));
      const customerId = 'chaos-009-like';
      const run = await sendEvent(env.client, h, plan, customerId, event('nps.submitted', customerId, { score: 10 }, { traits }));
      await env.sleep(2 * DAY + 2 * HOUR);
      expect((await state(run)).asks).toHaveLength(1);
      for (const n of [1, 2, 3]) {
        const ids = { referralId: `ref-${n}`, referrerId: customerId };
        await run.signal(
          journeyEventSignal,
          event('referral.submitted', customerId, { referralId: `ref-${n}`, referredEmail: `friend${n}@friend-${n}.example` }),
        );
        await run.signal(journeyEventSignal, event('deal.closed_won', `friend-${n}`, { ...ids, amount: 10_000 * n, currency: 'USD' }));
      }
      // The rewards are held P90D after each conversion; then Expand promotes to the case study, whose owner-outreach
      // ask (P3D later) has no traits.ownerEmail to go to: the cycle ends early and the run listens again.
      await env.sleep(100 * DAY);
      const listening = await state(run);
      expect(listening.stage).toBe('listen');
      expect(listening.notes.map((n) => n.text).join('\n')).toMatch(/not sent: no traits\.ownerEmail/);

      const published = event('case_study.published', customerId, { url: 'https://acme.example/customers/case-study' });
      await run.signal(journeyEventSignal, published);
      await env.sleep(HOUR);
      const { records } = await readTrackingLog(h.dataDir);
      const about = records.filter((r) => r.customerId === customerId && r.data?.eventId === published.id);
      expect(about.map((r) => r.type)).toEqual(['action.ignored']);
      expect(about[0]).toMatchObject({ stage: 'listen', data: { eventType: 'case_study.published' } });
      expect(String(about[0].data?.reason)).toMatch(/no ask is open/);
      // Still listening, and a later delight still starts a cycle (the ignored action changed nothing else).
      expect((await state(run)).stage).toBe('listen');
    });
  }, 240_000);

  it('an action an ended run hears is recorded as action.ignored with the reason the journey ended', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const customerId = 'ended-then-acted';
      const run = await sendEvent(env.client, h, plan, customerId, event('nps.submitted', customerId, { score: 10 }, { traits }));
      await env.sleep(HOUR);
      await run.executeUpdate(cancelRunUpdate, { args: [{ actor: 'ana', reason: 'account closed' }] });
      await env.sleep(HOUR);
      expect((await state(run)).stage).toBe('ended');
      const published = event('case_study.published', customerId, { url: 'https://acme.example/customers/late' });
      await run.signal(journeyEventSignal, published);
      await env.sleep(HOUR);
      const { records } = await readTrackingLog(h.dataDir);
      const about = records.filter((r) => r.customerId === customerId && r.data?.eventId === published.id);
      expect(about.map((r) => [r.type, r.stage])).toEqual([['action.ignored', 'ended']]);
      expect(String(about[0].data?.reason)).toMatch(/the journey ended: .*account closed/);
    });
  }, 120_000);

  it("owner tasks: an action while the owner's task waits is taken; one after the no-answer deadline ended the cycle is action.ignored", async () => {
    const plan = await shippedPlan('strategic-reference-advisory');
    const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true });
    const account = {
      ...traits,
      arr: 200_000,
      ownerEmail: 'jordan.lee@acme.example',
      ownerTimezone: 'America/New_York',
    };
    await h.run(async () => {
      const during = 'acts-while-task-waits';
      const after = 'acts-after-no-answer';
      const runs = await Promise.all(
        [during, after].map((id) =>
          sendEvent(env.client, h, plan, id, event('qbr.completed', id, { sentiment: 'positive' }, { traits: account })),
        ),
      );
      // P3D, then the reference call's window (mon-fri 09:00-17:00 in the owner's zone): the task is out within a week.
      await env.sleep(7 * DAY);
      for (const run of runs) expect((await state(run)).ownerTask).toMatchObject({ motion: 'reference-call' });
      // (a) The reference call happened before the owner answered: the wait ends and Activate takes it.
      const call = event('reference_call.completed', during, {});
      await runs[0].signal(journeyEventSignal, call);
      // (b) Nobody answers the other task within P10D: the cycle ends, and the call reported afterwards has no ask open.
      await env.sleep(11 * DAY);
      expect(await state(env.client.workflow.getHandle(runs[1].workflowId))).toMatchObject({ stage: 'listen', cycle: 2 });
      const late = event('reference_call.completed', after, {});
      await runs[1].signal(journeyEventSignal, late);
      await env.sleep(HOUR);
      const { records } = await readTrackingLog(h.dataDir);
      const typesOf = (id: string) => records.filter((r) => r.data?.eventId === id).map((r) => r.type);
      expect(typesOf(call.id)).toEqual(['action.taken']);
      expect(typesOf(late.id)).toEqual(['action.ignored']);
      expect(records.filter((r) => r.customerId === after).map((r) => r.type)).toContain('owner_task.no_answer');
    });
  }, 120_000);
});
