// The shipped sample experiment in single runs (time-skipping server, real email and tracking activities): a
// customer's arm is the hash's, shown in the run's state, current details and the JourneyExperimentArm search
// attribute, and it stays the same across continue-as-new (a handover inside a stage and the one that ends a
// cycle); after the end date a new cycle takes the default arm, or the winner once the marketer names it, and
// nobody is held out any more.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../definitions/plan.ts';
import { JourneyExperimentArm } from '../workflows/contract/index.ts';
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
      expect(meta.currentDetails).toContain('- experiment review-ask-wording: arm **short-favour**');
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
});
