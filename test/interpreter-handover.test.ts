// Long waits hand over to a fresh history (continue-as-new) when the history grows, in any stage, and the next run
// picks the wait up: same asks, same deadlines, every signal sent during the handover kept, tracking keys unique.
// Time-skipping server (it never suggests continue-as-new itself, so the runs get a small history limit).
import { journeyEventSignal, journeyWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
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
  email: 'ho@example.com',
  firstName: 'Ho',
  timezone: 'America/New_York',
  healthScore: 90,
  ...extra,
});
const LIMIT = 60;

describe('handover to a fresh history (time-skipping server)', () => {
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

  /** Events that matter to no stage (page views), sent all at once: they only grow the history. */
  async function burst(workflowId: string, customerId: string, n: number) {
    const handle = env.client.workflow.getHandle(workflowId);
    // Events the journey takes but that change nothing here (a passive NPS answer): a type it does not take would be
    // refused at the run's door (event-check.ts) and not count as taken.
    const events = Array.from({ length: n }, () => event('nps.submitted', customerId, { score: 8 }));
    await Promise.all(events.map((e) => handle.signal(journeyEventSignal, e)));
    return events;
  }

  async function runIds(workflowId: string): Promise<string[]> {
    const ids: string[] = [];
    let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
    // Walk back through the chain: each run's first event names the run it continued.
    while (runId) {
      ids.unshift(runId);
      const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    }
    return ids;
  }

  it('a run waiting for its reminder hands over when its history grows: same asks, no re-ask, the reminder on time, no signal lost', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    const workflowId = journeyWorkflowId(plan.journeyId, 'ho-1');
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'ho-1', event('nps.submitted', 'ho-1', { score: 10 }, { traits: traits() }), {
        continueAsNewAfter: LIMIT,
      });
      await env.sleep(2 * DAY + HOUR);
      const before = await state(first);
      expect(before.asks).toHaveLength(1);
      expect(before.nextAction?.what).toContain('invite #2');

      await burst(workflowId, 'ho-1', 40);
      await env.sleep(HOUR);
      const runs = await runIds(workflowId);
      expect(runs.length).toBeGreaterThan(1);
      const lengths = [];
      for (const runId of runs) lengths.push((await env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events!.length);
      console.log(`HANDOVER history lengths per run: ${lengths.join(',')} (limit ${LIMIT}, burst of 40 signals)`);
      // Signals that land while the handover's task is in flight are appended to the old run first (each also
      // costs a rejected task), so a run can end above the limit by about the burst.
      for (const len of lengths) expect(len).toBeLessThan(LIMIT + 3 * 40);
      const current = env.client.workflow.getHandle(workflowId);
      const s = await state(current);
      expect(s.stage).toBe('invite');
      expect(s.asks).toEqual(before.asks);
      expect(s.nextAction).toEqual(before.nextAction);
      expect(s.seenEventIds).toBe(1 + 40);
      expect(await h.outbox()).toHaveLength(1);

      // The reminder goes out when it was due, once, as attempt 2 with the reminder's template.
      await env.sleep(Date.parse(before.nextAction?.at ?? '') - (await env.currentTimeMs()) + HOUR);
      const after = await state(current);
      expect(after.asks.map((a) => [a.attempt, a.template])).toEqual([
        [1, 'templates/referral-invite.mustache'],
        [2, 'templates/referral-reminder.mustache'],
      ]);
      expect(await h.outbox()).toHaveLength(2);
      await recordHistory('handover-from-invite', env.client.workflow.getHandle(workflowId, runs[0]));
      await recordHistory('handover-resumed-invite', current);
    });
  });

  it('a run waiting in Activate hands over; a referral sent during the handover is acted on by the next run, and its asks stay', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.reminders = [];
    const h = await createHarness(env.nativeConnection);
    const workflowId = journeyWorkflowId(plan.journeyId, 'ho-2');
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'ho-2', event('nps.submitted', 'ho-2', { score: 10 }, { traits: traits() }), {
        continueAsNewAfter: LIMIT,
      });
      await env.sleep(3 * DAY);
      const waiting = await state(first);
      expect(waiting.stage).toBe('activate');
      const referral = event('referral.submitted', 'ho-2', { referralId: 'r-ho-2', referredEmail: 'sam@elsewhere.example' });
      await Promise.all([burst(workflowId, 'ho-2', 40), env.client.workflow.getHandle(workflowId).signal(journeyEventSignal, referral)]);
      await env.sleep(HOUR);
      expect((await runIds(workflowId)).length).toBeGreaterThan(1);
      const s = await state(env.client.workflow.getHandle(workflowId));
      expect(s.seenEventIds).toBe(1 + 40 + 1);
      expect(s.history.actions).toBe(1);
      expect(s.referrals.map((r) => r.referralId)).toEqual(['r-ho-2']);
      expect(s.asks).toEqual(waiting.asks);
    });
  });

  it('a run in its cool-down after a detractor score hands over and keeps the hold: no ask before it ends', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    const workflowId = journeyWorkflowId(plan.journeyId, 'ho-4');
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'ho-4', event('nps.submitted', 'ho-4', { score: 10 }, { traits: traits() }), {
        continueAsNewAfter: LIMIT,
      });
      await env.sleep(2 * DAY + HOUR);
      await first.signal(journeyEventSignal, event('nps.submitted', 'ho-4', { score: 2 }));
      await env.sleep(HOUR);
      const cooling = await state(first);
      expect(cooling.stage).toBe('suppressed');
      await burst(workflowId, 'ho-4', 40);
      await env.sleep(HOUR);
      expect((await runIds(workflowId)).length).toBeGreaterThan(1);
      const current = env.client.workflow.getHandle(workflowId);
      const s = await state(current);
      expect(s.stage).toBe('suppressed');
      expect(s.nextAction).toEqual(cooling.nextAction);
      expect(s.suppression.hold).toEqual(cooling.suppression.hold);
      await env.sleep(Date.parse(cooling.suppression.hold?.until ?? '') - (await env.currentTimeMs()) + HOUR);
      expect((await state(current)).stage).toBe('listen');
      expect(await h.outbox()).toHaveLength(1);
    });
  });

  it('a run resting in Expand hands over and keeps its rest: the next cycle starts when the rest was due to end', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.reminders = [];
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const workflowId = journeyWorkflowId(plan.journeyId, 'ho-5');
    await h.run(async () => {
      await toMondayMorning();
      const first = await sendEvent(env.client, h, plan, 'ho-5', event('nps.submitted', 'ho-5', { score: 10 }, { traits: traits() }), {
        continueAsNewAfter: 120,
      });
      await env.sleep(3 * DAY);
      await first.signal(
        journeyEventSignal,
        event('referral.submitted', 'ho-5', { referralId: 'r-ho-5', referredEmail: 'kim@elsewhere.example' }),
      );
      await first.signal(
        journeyEventSignal,
        event('deal.closed_won', 'ho-5', { referralId: 'r-ho-5', referrerId: 'ho-5', amount: 9000, currency: 'USD' }),
      );
      // The Reward stage keeps the ask's window open until Activate's deadline (a second referral of the cycle
      // would be rewarded too); then Track, then Expand's rest. Step through the days until the run rests.
      let resting = await state(first);
      for (let day = 0; day < 60 && !(resting.stage === 'expand' && resting.nextAction?.what.includes('resting until')); day++) {
        await env.sleep(DAY);
        resting = await state(first);
      }
      expect(resting.stage).toBe('expand');
      expect(resting.nextAction?.what).toContain('resting until');
      await burst(workflowId, 'ho-5', 60);
      await env.sleep(HOUR);
      expect((await runIds(workflowId)).length).toBeGreaterThan(1);
      const current = env.client.workflow.getHandle(workflowId);
      const s = await state(current);
      expect(s.stage).toBe('expand');
      expect(s.cycle).toBe(1);
      expect(s.nextAction).toEqual(resting.nextAction);
      await env.sleep(Date.parse(resting.nextAction?.at ?? '') - (await env.currentTimeMs()) + HOUR);
      const next = await state(env.client.workflow.getHandle(workflowId));
      expect(next.cycle).toBe(2);
      expect(next.stage).toBe('listen');
      expect(next.history).toMatchObject({ cycles: 1, actions: 1, conversions: 1 });
    });
  });

  it('tracking records keep unique keys across a handover in the middle of a cycle, so the once-per-key sink drops none', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    const workflowId = journeyWorkflowId(plan.journeyId, 'ho-3');
    await h.run(async () => {
      await toMondayMorning();
      // Disqualified (health 40): back to Listen in cycle 1, where the growing history hands the run over.
      await sendEvent(env.client, h, plan, 'ho-3', event('nps.submitted', 'ho-3', { score: 10 }, { traits: traits({ healthScore: 40 }) }), {
        continueAsNewAfter: LIMIT,
      });
      await env.sleep(HOUR);
      // 60 signals: a disqualified run's history is short (no patch markers since 1.0), so 40 may not reach the limit.
      await burst(workflowId, 'ho-3', 60);
      await env.sleep(HOUR);
      expect((await runIds(workflowId)).length).toBeGreaterThan(1);
      const current = env.client.workflow.getHandle(workflowId);
      expect((await state(current)).cycle).toBe(1);
      // Healthy again, a new delight in the same cycle: its records must not reuse the first run's keys.
      await current.signal(journeyEventSignal, event('nps.submitted', 'ho-3', { score: 10 }, { traits: { healthScore: 90 } }));
      await env.sleep(HOUR);
      // Read while the run lives.
      const { records } = await readTrackingLog(h.dataDir);
      const mine = records.filter((r) => r.customerId === 'ho-3');
      expect(mine.filter((r) => r.type === 'delight')).toHaveLength(2);
      expect(mine.filter((r) => r.type === 'disqualified')).toHaveLength(1);
      expect(mine.filter((r) => r.type === 'qualified')).toHaveLength(1);
      expect(new Set(mine.map((r) => r.key)).size).toBe(mine.length);
    });
  });
});
