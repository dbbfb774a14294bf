// The shipped sample experiment in single runs (time-skipping server, real email and tracking activities): a
// customer's arm is the hash's, shown in the run's state, current details and the JourneyExperimentArm search
// attribute, and it stays the same across continue-as-new (a handover inside a stage and the one that ends a
// cycle); after the end date a new cycle takes the default arm, or the winner once the marketer names it, and
// nobody is held out any more.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../definitions/plan.ts';
import { journeyEventSignal, JourneyExperimentArm } from '../workflows/contract/index.ts';
import { assignArm } from '../workflows/journey/experiment-assignment.ts';
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

type WorkflowMetadata = { currentDetails?: string | null };

/** The first customer ids the hash puts in this group of the experiment. */
function customersIn(plan: CompiledPlan, group: string, count: number, prefix: string): string[] {
  const x = plan.definition.experiment!;
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    const a = assignArm(x.id, `${prefix}-${i}`, x.arms, x.holdout);
    if ((a.group === 'control' ? 'control' : a.arm) === group) found.push(`${prefix}-${i}`);
  }
  return found;
}

const traits = { email: 'sam@example.com', firstName: 'Sam', timezone: 'America/New_York' };

describe('experiment arms in a run (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** The shipped plan with its experiment window laid on the test's clock (the shipped dates are real ones), and a
   *  re-entry interval short enough for a second cycle 35 days on. */
  async function planOnClock(window: { endsInDays: number; winner?: string }): Promise<CompiledPlan> {
    const plan = await shippedPlan('milestone-review-ask');
    const now = await env.currentTimeMs();
    const x = plan.definition.experiment!;
    x.start = new Date(now - DAY).toISOString();
    x.end = new Date(now + window.endsInDays * DAY).toISOString();
    if (window.winner) x.winner = window.winner;
    plan.definition.listen.reentry = { allowed: true, minInterval: 'P30D', maxCycles: 3 };
    return plan;
  }

  it('keeps the arm across continue-as-new and shows it in state, details and the search attribute', { timeout: 300_000 }, async () => {
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
      const plan = await planOnClock({ endsInDays: 120 });
      const [id] = customersIn(plan, 'short-favour', 1, 'sticky');
      // A tiny history limit: the run hands over to a fresh history in every long wait.
      const first = await sendEvent(env.client, h, plan, id, event('milestone.reached', id, { milestone: 'go-live' }, { traits }), {
        continueAsNewAfter: 40,
      });
      await env.sleep(DAY + 2 * HOUR);
      const asked = await state(first);
      expect(asked.experiment).toMatchObject({ id: 'review-ask-wording', arm: 'short-favour', cycle: 1 });
      const handle = env.client.workflow.getHandle(first.workflowId);
      expect((await handle.describe()).typedSearchAttributes.get(JourneyExperimentArm)).toBe('short-favour');
      const meta = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      expect(meta.currentDetails).toContain('experiment review-ask-wording: arm **short-favour**');
      expect((await h.outbox()).map((m) => m.subject)).toEqual(['A two-minute favour, Sam?']);

      // Past the reminder (day 7), Activate's timeout (the cycle ends and continues as new) and the 30 days since the last
      // ask that Qualify asks for, then a second delight (a Sunday: its ask goes out on Monday).
      await env.sleep(40 * DAY);
      const runId = (await handle.describe()).runId;
      expect(runId).not.toBe(first.signaledRunId);
      await sendEvent(env.client, h, plan, id, event('milestone.reached', id, { milestone: 'anniversary' }, { traits }));
      await env.sleep(DAY + 2 * HOUR);
      const again = await state(handle);
      expect(again.cycle).toBe(2);
      expect(again.experiment).toEqual({ ...asked.experiment, cycle: 2 });
      expect((await handle.describe()).typedSearchAttributes.get(JourneyExperimentArm)).toBe('short-favour');
      const subjects = (await h.outbox()).filter((m) => m.sendKey.includes(':invite:review:1')).map((m) => m.subject);
      expect(subjects).toEqual(['A two-minute favour, Sam?', 'A two-minute favour, Sam?']);
    });
  });

  it('after the end, control customers are asked: with the default arm, or with the winner once named', { timeout: 300_000 }, async () => {
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
      const open = await planOnClock({ endsInDays: 20 });
      const decided = await planOnClock({ endsInDays: 20, winner: 'short-favour' });
      const [a, b] = customersIn(open, 'control', 2, 'late');
      const start = async (plan: CompiledPlan, id: string, milestone: string) =>
        sendEvent(
          env.client,
          h,
          plan,
          id,
          event('milestone.reached', id, { milestone }, { traits: { ...traits, email: `${id}@example.com` } }),
        );
      const ha = await start(open, a, 'go-live');
      const hb = await start(decided, b, 'go-live');
      await env.sleep(DAY + 2 * HOUR);
      for (const handle of [ha, hb]) {
        const s = await state(handle);
        expect(s.experiment?.arm).toBe('control');
        expect(s.notes.map((n) => n.text)).toContain('invite #1 not sent: held out as control of experiment review-ask-wording');
      }
      expect(await h.outbox()).toEqual([]);
      expect(h.slotRequests).toEqual([]);
      // Five weeks on, past the end (a Monday again): the next cycle asks everyone.
      await env.sleep(35 * DAY - DAY - 2 * HOUR);
      await start(open, a, 'anniversary');
      await start(decided, b, 'anniversary');
      await env.sleep(DAY + 2 * HOUR);
      expect((await state(ha)).experiment).toMatchObject({ arm: 'congratulate', afterEnd: true, cycle: 2 });
      expect((await state(hb)).experiment).toMatchObject({ arm: 'short-favour', afterEnd: true, cycle: 2 });
      const subjectTo = new Map((await h.outbox()).map((m) => [m.to, m.subject]));
      expect(subjectTo.get(`${a}@example.com`)).toMatch(/^Congratulations on your milestone, Sam!/);
      expect(subjectTo.get(`${b}@example.com`)).toBe('A two-minute favour, Sam?');
      expect(h.slotRequests.map((r) => r.customerId).sort()).toEqual([a, b].sort());
    });
  });

  it(
    "an arm's overrides change its customers' first-ask delay, reminder spacing and reward, not the other arm's",
    { timeout: 300_000 },
    async () => {
      const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true });
      await h.run(async () => {
        await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
        const monday = await env.currentTimeMs();
        const plan = await planOnClock({ endsInDays: 120 });
        const arm = plan.definition.experiment!.arms.find((a) => a.id === 'short-favour')!;
        arm.invite = { ...arm.invite, firstAskDelay: 'P3D', reminderSpacing: ['P1D'] };
        arm.reward = { referrer: { kind: 'gift-card', amount: 50, currency: 'USD', description: '$50 gift card' } };
        const [treated] = customersIn(plan, 'short-favour', 1, 'override');
        const [plain] = customersIn(plan, 'congratulate', 1, 'override');
        const handles = await Promise.all(
          [treated, plain].map((id) =>
            sendEvent(
              env.client,
              h,
              plan,
              id,
              event('milestone.reached', id, { milestone: 'go-live' }, { traits: { ...traits, email: `${id}@example.com` } }),
            ),
          ),
        );
        await env.sleep(3 * DAY + 2 * HOUR);
        const [t, p] = await Promise.all(handles.map((x) => state(x)));
        // Days after the delight each ask went out (the delight was at a time inside the send window).
        const days = (asks: { at: string }[]) => asks.map((a) => Math.round((Date.parse(a.at) - monday) / DAY));
        // congratulate: the journey's P1D (Tuesday); short-favour: its own P3D (Thursday).
        expect(days(p.asks)).toEqual([1]);
        expect(days(t.asks)).toEqual([3]);
        // short-favour's reminder one day after (Friday is outside the Mon-Thu window: the next Monday); congratulate's five.
        await env.sleep(5 * DAY);
        const [t2, p2] = await Promise.all(handles.map((x) => state(x)));
        expect(days(t2.asks)).toEqual([3, 7]);
        expect(days(p2.asks)).toEqual([1, 7]);
        for (const [i, id] of [treated, plain].entries())
          await handles[i].signal(journeyEventSignal, event('review.posted', id, { site: 'G2' }));
        await env.sleep(8 * DAY);
        const [t3, p3] = await Promise.all(handles.map((x) => state(x)));
        expect(t3.rewards.map((r) => [r.status, r.amount, r.kind])).toEqual([['issued', 50, 'gift-card']]);
        expect(p3.rewards.map((r) => [r.status, r.amount, r.kind])).toEqual([['issued', 25, 'gift-card']]);
      });
    },
  );
});
