// The shipped sample experiment (milestone review ask v2: two wordings, 10 % control) run on a generated population
// with a known true review rate per arm, on the time-skipping server with the real email and tracking activities:
// the experiment report recovers each arm's true lift over control within its 95 % interval, control customers get
// no ask, no contact slot and no reward, and every run is read while it lives (the harness ends them after).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../definitions/loader.ts';
import { journeyEventSignal, journeyWorkflowId } from '../workflows/contract/index.ts';
import { assignArm } from '../workflows/journey/experiment-assignment.ts';
import { findExperiment, runExperimentReport } from '../reports/experiments/report.ts';
import { seededRandom } from '../reports/experiments/stats.ts';
import { renderExperimentTable } from '../reports/experiments/render.ts';
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

/** A few hundred customers: enough for a callable result, small enough for two shared cores (bench/experiments.ts runs more). */
const CUSTOMERS = Number(process.env.EXPERIMENT_TEST_CUSTOMERS ?? 300);
/** The true chance that a customer of each group posts a review: control's is what happens without any ask. */
const TRUE_RATE: Record<string, number> = { control: 0.2, congratulate: 0.4, 'short-favour': 0.55 };

describe('experiment on a generated population (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('recovers each arm lift within its interval; control is never asked, given a slot or rewarded', { timeout: 900_000 }, async () => {
    const plan = await shippedPlan('milestone-review-ask');
    const x = plan.definition.experiment!;
    // Rewards reach the real customer:<id> ledger; contact slots are granted by the test, which records who asked for one.
    const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true });
    await h.run(async () => {
      // Monday 10:00 in New York: the first asks (one day later) fall inside the Mon-Thu 10:00-16:00 window.
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
      const now = await env.currentTimeMs();
      // The shipped dates are real ones; a run of this test after them moves the window onto the test's clock.
      if (now < Date.parse(x.start) || now >= Date.parse(x.end)) {
        x.start = new Date(now - DAY).toISOString();
        x.end = new Date(now + 90 * DAY).toISOString();
      }
      const ids = Array.from({ length: CUSTOMERS }, (_, i) => `pop-${i}`);
      const traits = (id: string) => ({ email: `${id}@example.com`, firstName: 'Pat', timezone: 'America/New_York', segment: 'smb' });
      const handles = new Map<string, Awaited<ReturnType<typeof sendEvent>>>();
      for (let i = 0; i < ids.length; i += 25)
        await Promise.all(
          ids.slice(i, i + 25).map(async (id) => {
            const e = event('milestone.reached', id, { milestone: 'go-live' }, { traits: traits(id) });
            handles.set(id, await sendEvent(env.client, h, plan, id, e));
          }),
        );
      await env.sleep(DAY + 2 * HOUR);

      // Every customer is in the arm the hash gives, and the run shows it.
      const arms = new Map<string, string>();
      for (const id of ids) {
        const s = await state(handles.get(id)!);
        const a = assignArm(x.id, id, x.arms, x.holdout);
        const expected = a.group === 'control' ? 'control' : a.arm;
        expect(s.experiment, id).toMatchObject({ id: x.id, arm: expected, cycle: 1 });
        arms.set(id, expected);
      }
      const control = ids.filter((id) => arms.get(id) === 'control');
      expect(control.length).toBeGreaterThan(10);

      // The population acts with its true rates (a seeded draw, so the test reads the same every time).
      const draw = seededRandom(18);
      const reviewers = ids.filter((id) => draw() < TRUE_RATE[arms.get(id)!]);
      for (let i = 0; i < reviewers.length; i += 25)
        await Promise.all(
          reviewers
            .slice(i, i + 25)
            .map((id) => handles.get(id)!.signal(journeyEventSignal, event('review.posted', id, { site: 'G2', rating: 5 }))),
        );
      // Past the reward's 7-day hold: every treated reviewer is paid.
      await env.sleep(9 * DAY);

      const sent = await h.outbox();
      const customerOf = (to: string) => to.replace(/@example\.com$/, '');
      const sentTo = new Set(sent.map((m) => customerOf(m.to)));
      for (const id of control) expect(sentTo.has(id), `${id} (control) got an email`).toBe(false);
      const slotted = new Set(h.slotRequests.map((r) => r.customerId));
      for (const id of control) expect(slotted.has(id), `${id} (control) took a contact slot`).toBe(false);
      for (const id of control) {
        const s = await state(handles.get(id)!);
        expect(s.rewards, id).toEqual([]);
        expect(s.history.asks, id).toBe(0);
      }
      // The treated arms were asked with their own wording, and the reviewers among them paid.
      const firstAsk = new Map(
        sent.filter((m) => m.sendKey.endsWith(':1:invite:review:1')).map((m) => [customerOf(m.to), m.subject ?? '']),
      );
      for (const id of ids.filter((i) => arms.get(i) !== 'control'))
        expect(firstAsk.get(id), id).toMatch(
          arms.get(id) === 'short-favour' ? /^A two-minute favour, Pat\?$/ : /^Congratulations on your milestone, Pat!/,
        );
      const paid = ids.filter((id) => arms.get(id) !== 'control' && reviewers.includes(id));
      for (const id of paid.slice(0, 20))
        expect(
          (await state(handles.get(id)!)).rewards.map((r) => r.status),
          id,
        ).toEqual(['issued']);

      const scope = findExperiment([plan], x.id)!;
      const report = await runExperimentReport(h.dataDir, scope, loadCatalog().kpis!);
      expect(report.arms.reduce((n, a) => n + a.customers, 0)).toBe(CUSTOMERS);
      const held = report.arms.find((a) => a.control)!;
      expect(held.customers).toBe(control.length);
      expect(held.funnel.find((f) => f.step === 'asked')!.customers).toBe(0);
      expect(held.funnel.find((f) => f.step === 'held out')!.customers).toBe(control.length);
      expect(held.funnel.find((f) => f.step === 'rewarded')!.customers).toBe(0);
      const lines = [renderExperimentTable(report), '', 'true rates: ' + JSON.stringify(TRUE_RATE), ''];
      for (const arm of report.arms.filter((a) => !a.control)) {
        const truth = TRUE_RATE[arm.arm] - TRUE_RATE.control;
        const lift = arm.lift!;
        lines.push(
          `${arm.arm}: true lift ${truth.toFixed(3)}, estimate ${lift.difference.toFixed(3)}, 95 % interval [${lift.interval.low.toFixed(3)}, ${lift.interval.high.toFixed(3)}]`,
        );
        expect(lift.interval.low, arm.arm).toBeLessThanOrEqual(truth);
        expect(lift.interval.high, arm.arm).toBeGreaterThanOrEqual(truth);
        expect(lift.tooSmall, arm.arm).toBeUndefined();
      }
      mkdirSync(join(import.meta.dirname, '.artifacts'), { recursive: true });
      writeFileSync(join(import.meta.dirname, '.artifacts', 'experiment-lift.txt'), lines.join('\n') + '\n');
      console.log(lines.join('\n'));
      expect(journeyWorkflowId(plan.journeyId, 'pop-0')).toBe(handles.get('pop-0')!.workflowId);
    });
  });
});
