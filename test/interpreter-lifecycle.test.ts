// Whole cycles on the time-skipping server: act → reward → track → expand → continue-as-new with carried state;
// three simulated years of cycles of every shipped journey with each run's history under a stated bound.
import { journeyWorkflowId, type JourneyEvent, journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { durationMs } from '../definitions/duration.ts';
import { createHarness, createTimeSkippingEnvWithSearchAttributes, DAY, shippedPlan, state } from './interpreter/harness.ts';
import { driveCycle, SCENARIOS } from './interpreter/scenarios.ts';

/** The bound: no run (one cycle) of a shipped journey may have more history events than this. */
export const HISTORY_BOUND_PER_RUN = 250;

describe('long life (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a referral cycle: ask, referral, closed-won → two-sided reward, thank-you, revenue; then continue-as-new carries it all', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    let lastDelight: JourneyEvent | undefined;
    const sc = { ...SCENARIOS[0], delight: (c: number, id: string) => (lastDelight = SCENARIOS[0].delight(c, id)) };
    await h.run(async () => {
      const r = await driveCycle(env, env.client, h, plan, sc, 'life-1', 1);
      expect(r.status).toBe('CONTINUED_AS_NEW');
      const next = env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, 'life-1'));
      const s = await state(next);
      expect(s.cycle).toBe(2);
      expect(s.stage).toBe('listen');
      expect(s.history).toMatchObject({
        cycles: 1,
        asks: 1,
        actions: 1,
        referrals: 1,
        conversions: 1,
        referredRevenue: 12000,
        rewardsIssued: 2,
      });
      expect(s.rewards.map((x) => [x.role, x.status, x.provider])).toEqual([
        ['referrer', 'issued', 'ledger'],
        ['referred', 'issued', 'ledger'],
      ]);
      const sent = await h.outbox();
      expect(sent.map((m) => m.sendKey).sort()).toEqual([
        `journey:nps-promoter-referral:life-1:1:invite:referral:1`,
        `journey:nps-promoter-referral:life-1:1:thank-you:ref-life-1-1`,
      ]);
      // The thank-you names the reward paid, in words (message model `reward.description`), never a blank.
      const thanks = sent.find((m) => m.sendKey.includes(':thank-you:'))!.message;
      expect('HtmlBody' in thanks ? thanks.HtmlBody : '').toContain('Thank you! $50 account credit is on its way.</p>');
      // The dedup set survived continue-as-new: the first cycle's delight event, sent again, is ignored.
      expect(s.seenEventIds).toBe(3);
      await next.signal(journeyEventSignal, lastDelight!);
      expect((await state(next)).seenEventIds).toBe(3);
      expect((await state(next)).inbox).toBe(0);
    });
  });

  // Each journey on a fresh test server: the time-skipping server does not skip time while any leftover run
  // elsewhere has an outstanding task, so journeys must not share one.
  for (const sc of SCENARIOS) {
    it(`three simulated years of ${sc.journeyId} cycles: each run stays under the history bound`, async () => {
      const own = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
      try {
        const plan = await shippedPlan(sc.journeyId);
        // Unlimited cycles for the test: the bound must hold however long a customer stays.
        delete plan.definition.listen.reentry!.maxCycles;
        const spacing = Math.max(130 * DAY, durationMs(plan.definition.listen.reentry!.minInterval ?? 'P1D') + 10 * DAY);
        const h = await createHarness(own.nativeConnection, { client: own.client });
        const customerId = `years-${sc.journeyId}`;
        await h.run(async () => {
          const start = await own.currentTimeMs();
          const lengths: number[] = [];
          for (let cycle = 1; (await own.currentTimeMs()) - start < 3 * 365 * DAY; cycle++) {
            const cycleStart = await own.currentTimeMs();
            const r = await driveCycle(own, own.client, h, plan, sc, customerId, cycle);
            if (r.status !== 'CONTINUED_AS_NEW') {
              const stuck = await state(own.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, customerId)));
              throw new Error(
                `${sc.journeyId} cycle ${cycle} did not finish: ${JSON.stringify({ stage: stuck.stage, next: stuck.nextAction, motion: stuck.motion, notes: stuck.notes.slice(-5), suppressed: stuck.suppressed })}`,
              );
            }
            lengths.push(r.historyEvents);
            const rest = cycleStart + spacing - (await own.currentTimeMs());
            if (rest > 0) await own.sleep(rest);
          }
          const s = await state(own.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, customerId)));
          expect(s.history.cycles).toBe(lengths.length);
          console.log(
            `HISTORY ${sc.journeyId}: ${lengths.length} cycles in 3 years, events per run ${lengths.join(',')} (max ${Math.max(...lengths)}, bound ${HISTORY_BOUND_PER_RUN})`,
          );
          for (const len of lengths) expect(len).toBeLessThan(HISTORY_BOUND_PER_RUN);
        });
      } finally {
        await own.teardown();
      }
    }, 240_000);
  }
});
