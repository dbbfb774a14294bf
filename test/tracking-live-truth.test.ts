// Ground truth, read live: a generated population with known answers goes through the shipped NPS journey on the
// time-skipping server, with the real email (outbox), contact-policy, reward-ledger and tracking activities. The
// tracking log is read at several simulated days WITHOUT ending any run; at each point its counts equal the facts
// that have happened by then, every record's time is the time of its fact, and every email in the outbox has its
// record (and no record lacks its email). Some runs continue as new in the middle of their cycle (a small history
// limit), and lose nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import type { TrackingRecord } from '../workflows/contract/index.ts';
import { runKpiReport } from '../reports/engine/kpi-engine.ts';
import { journeyEventSignal, journeyWorkflowId } from '../workflows/contract/index.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  nextUtc,
  sendEvent,
  shippedPlan,
} from './interpreter/harness.ts';

const N = Number(process.env.TRUTH_POPULATION ?? 64);
const JOURNEY = 'nps-promoter-referral';

/** A seeded shuffle, so the population is the same on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Customer {
  id: string;
  score: number;
  healthy: boolean;
  /** Refers a friend on day 5 once asked, and the deal then closes on day 8 (won or lost) or stays open. */
  refers: boolean;
  deal?: 'won' | 'lost';
  /** Runs with a tiny history limit: they continue as new in the middle of their cycle. */
  smallHistory: boolean;
}

/** 40 % promoters (a quarter of them unhealthy: disqualified), 30 % passives, 30 % detractors; half the asked refer,
 *  and of those deals two thirds close won, one sixth closed lost, the rest stay open. */
function population(n: number): Customer[] {
  const promoters = Math.round(n * 0.4);
  const passives = Math.round(n * 0.3);
  const scores = shuffled(
    Array.from({ length: n }, (_, i) => (i < promoters ? 9 + (i % 2) : i < promoters + passives ? 7 + (i % 2) : i % 7)),
    42,
  );
  const customers: Customer[] = scores.map((score, i) => ({ id: `truth-${i}`, score, healthy: true, refers: false, smallHistory: false }));
  const promoterList = customers.filter((c) => c.score >= 9);
  promoterList.slice(0, Math.round(promoterList.length / 4)).forEach((c) => (c.healthy = false));
  const asked = promoterList.filter((c) => c.healthy);
  const referrers = asked.slice(0, Math.round(asked.length / 2));
  referrers.forEach((c, i) => {
    c.refers = true;
    c.deal = i % 6 < 4 ? 'won' : i % 6 === 4 ? 'lost' : undefined;
  });
  // Mid-cycle handovers: a referrer whose deal closes won, one whose deal stays open, and two who never answer.
  for (const c of [referrers[0], referrers.find((r) => !r.deal), ...asked.filter((c) => !c.refers).slice(0, 2)])
    if (c) c.smallHistory = true;
  return customers;
}

/** What the log must say by `day`, from the population and the journey's timing (asks on day 2, Wednesday 10:00 UTC). */
function truthAt(customers: Customer[], day: number) {
  const promoters = customers.filter((c) => c.score >= 9);
  const asked = day >= 2 ? promoters.filter((c) => c.healthy) : [];
  const referrers = day >= 5 ? asked.filter((c) => c.refers) : [];
  const won = day >= 8 ? referrers.filter((c) => c.deal === 'won') : [];
  const lost = day >= 8 ? referrers.filter((c) => c.deal === 'lost') : [];
  return {
    answered: customers.length,
    promoters: promoters.length,
    passives: customers.filter((c) => c.score === 7 || c.score === 8).length,
    detractors: customers.filter((c) => c.score <= 6).length,
    disqualified: promoters.filter((c) => !c.healthy).length,
    asked: asked.length,
    referrals: referrers.length,
    rewardsHeld: referrers.length * 2, // the referrer's credit and the friend's discount, held until the deal closes
    rewardsIssued: won.length * 2,
    rewardsForfeited: lost.length,
    thanks: won.length,
    closedWon: won.length,
  };
}

function countsOf(records: TrackingRecord[]) {
  const customersWith = (type: string) => new Set(records.filter((r) => r.type === type).map((r) => r.customerId)).size;
  const count = (type: string) => records.filter((r) => r.type === type).length;
  const lastNps = new Map<string, number>();
  for (const r of records) if (r.type === 'nps.received') lastNps.set(r.customerId, r.data!.nps as number);
  const nps = [...lastNps.values()];
  return {
    answered: nps.length,
    promoters: nps.filter((s) => s >= 9).length,
    passives: nps.filter((s) => s === 7 || s === 8).length,
    detractors: nps.filter((s) => s <= 6).length,
    disqualified: customersWith('disqualified'),
    asked: customersWith('ask.sent'),
    referrals: count('referral.submitted'),
    rewardsHeld: count('reward.held'),
    rewardsIssued: count('reward.issued'),
    rewardsForfeited: count('reward.forfeited'),
    thanks: count('thanks.sent'),
    closedWon: count('referral.closed_won'),
  };
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(3));

/** What the report's KPIs must say by `day`, from the same truth. null: no number yet, because a record type the KPI
 *  needs has not happened (the report says `waiting`) or a denominator is still 0. */
function kpiTruthAt(customers: Customer[], day: number): Record<string, number | null> {
  const t = truthAt(customers, day);
  const qualified = customers.filter((c) => c.score >= 9 && c.healthy).length; // qualified on day 0, asked on day 2
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  const once = (n: number) => (n === 0 ? null : n); // needs a record type that has not happened yet
  return {
    'promoter-rate': t.promoters / t.answered,
    'delighted-customers': t.promoters,
    'qualified-customers': qualified,
    'funnel-drop-off-delighted-to-qualified': t.disqualified / t.promoters,
    'asked-customers': once(t.asked),
    'referral-invitation-rate': t.referrals === 0 && t.asked === 0 ? null : ratio(t.referrals, t.asked),
    'customer-referral-rate': t.referrals / t.answered,
    'inbound-referral-lead-volume': once(t.referrals),
    'new-users-from-referrals': t.referrals === 0 ? null : t.closedWon,
    'referral-conversion-rate': ratio(t.closedWon, t.referrals),
  };
}

describe('tracking read live equals the truth (time-skipping server, real activities)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it(`${N} customers with known answers: at days 1, 3, 6, 10, 30 and 90 the log and the report hold exactly the facts so far, no run ended`, async () => {
    const plan = await shippedPlan(JOURNEY);
    const customers = population(N);
    const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: false });
    const table: string[] = [];
    await h.run(async () => {
      // Day 0 = a Monday 10:00 UTC: the first ask is due on Wednesday 10:00, inside the send window.
      const start = nextUtc(await env.currentTimeMs(), 1, 10);
      await env.sleep(start - (await env.currentTimeMs()));
      const toDay = async (day: number) => env.sleep(start + day * DAY - (await env.currentTimeMs()));
      const firstRunIds = new Map<string, string>();
      for (const c of customers) {
        const traits = {
          email: `${c.id}@customer.example`,
          firstName: c.id,
          timezone: 'UTC',
          healthScore: c.healthy ? 90 : 45,
          segment: 'smb',
        };
        const run = await sendEvent(env.client, h, plan, c.id, event('nps.submitted', c.id, { score: c.score }, { traits }), {
          continueAsNewAfter: c.smallHistory ? 40 : undefined,
        });
        firstRunIds.set(c.id, run.signaledRunId);
      }
      const signal = (c: Customer, type: string, data: Record<string, unknown>) =>
        env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, c.id)).signal(journeyEventSignal, event(type, c.id, data));

      const check = async (day: number) => {
        const { records, badLines, duplicates } = await readTrackingLog(h.dataDir);
        const now = await env.currentTimeMs();
        const log = countsOf(records);
        const truth = truthAt(customers, day);
        table.push(
          `day ${String(day).padStart(2)}  ${Object.keys(truth)
            .map((k) => `${k} ${log[k as keyof typeof log]}/${truth[k as keyof typeof truth]}`)
            .join('  ')}`,
        );
        // The report (the DuckDB engine and its store, over the same files) read live too, at every point.
        const kpiTruth = kpiTruthAt(customers, day);
        const report = await runKpiReport(h.dataDir, { kpis: Object.keys(kpiTruth) });
        const values = report.groups[0]?.values ?? {};
        table.push(
          `        report ${Object.entries(kpiTruth)
            .map(([id, v]) => `${id} ${fmt(values[id])}/${fmt(v)}`)
            .join('  ')}`,
        );
        expect({ day, ...log }).toEqual({ day, ...truth });
        for (const [id, v] of Object.entries(kpiTruth)) {
          const got = values[id] ?? null;
          if (v === null) expect({ day, id, got }).toEqual({ day, id, got: null });
          else expect(got, `${id} on day ${day}`).toBeCloseTo(v, 9);
        }
        expect(badLines).toEqual([]);
        expect(duplicates).toBe(0);
        // No fact from the future, and every email that went out so far has its record (and the other way round).
        expect(records.filter((r) => Date.parse(r.at) > now)).toEqual([]);
        const outbox = await h.outbox();
        const recordedSends = records.filter((r) => r.type === 'ask.sent' || r.type === 'thanks.sent').map((r) => r.data!.sendKey);
        expect(recordedSends.sort()).toEqual(outbox.map((m) => m.sendKey).sort());
        return records;
      };

      await toDay(1);
      let records = await check(1);
      // Facts carry their own time (the test's signals take a few real seconds, which the server's clock also counts).
      const near = (r: TrackingRecord, day: number) => Date.parse(r.at) - (start + day * DAY);
      for (const r of records.filter((x) => x.type === 'nps.received' || x.type === 'delight')) {
        expect(near(r, 0)).toBeGreaterThanOrEqual(0);
        expect(near(r, 0)).toBeLessThan(10 * 60_000);
      }

      await toDay(3);
      records = await check(3);
      for (const r of records.filter((x) => x.type === 'ask.sent')) {
        expect(near(r, 2)).toBeGreaterThanOrEqual(0);
        expect(near(r, 2)).toBeLessThan(10 * 60_000);
      }

      await toDay(5);
      for (const c of customers.filter((x) => x.refers))
        await signal(c, 'referral.submitted', { referralId: `ref-${c.id}`, referredEmail: `friend-${c.id}@prospect.example` });
      await toDay(6);
      records = await check(6);
      for (const r of records.filter((x) => x.type === 'referral.submitted' || x.type === 'action.taken')) {
        expect(near(r, 5)).toBeGreaterThanOrEqual(0);
        expect(near(r, 5)).toBeLessThan(10 * 60_000);
      }
      expect(records.filter((r) => r.type === 'reward.held').every((r) => r.data!.until && r.data!.forConversion === true)).toBe(true);

      await toDay(8);
      for (const c of customers.filter((x) => x.deal))
        await signal(c, c.deal === 'won' ? 'deal.closed_won' : 'deal.closed_lost', {
          referralId: `ref-${c.id}`,
          referrerId: c.id,
          amount: 10_000,
        });
      await toDay(10);
      records = await check(10);
      await toDay(30);
      records = await check(30);
      // The runs that were handed over to a fresh history in the middle of their cycle lost nothing and live on.
      for (const c of customers.filter((x) => x.smallHistory)) {
        const d = await env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, c.id)).describe();
        expect(d.status.name).toBe('RUNNING');
        expect(d.runId).not.toBe(firstRunIds.get(c.id));
        const mine = records.filter((r) => r.customerId === c.id).map((r) => r.type);
        expect(mine).toContain('ask.sent');
        if (c.refers) expect(mine).toEqual(expect.arrayContaining(['referral.submitted', 'action.taken', 'reward.held']));
        if (c.deal === 'won') expect(mine.filter((t) => t === 'reward.issued')).toHaveLength(2);
        if (!c.refers) expect(mine).toEqual(expect.arrayContaining(['action.timeout', 'cycle.completed']));
      }
      const open = await Promise.all(
        customers.map(async (c) => (await env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, c.id)).describe()).status.name),
      );
      expect(open.every((s) => s === 'RUNNING')).toBe(true);

      // Day 90: the held rewards of the referrals still open have not reached their 90-day release; nothing ended.
      await toDay(90);
      records = await check(90);
      const still = await Promise.all(
        customers.map(async (c) => (await env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, c.id)).describe()).status.name),
      );
      expect(still.every((s) => s === 'RUNNING')).toBe(true);
    });
    await mkdir(join('test', '.artifacts'), { recursive: true });
    await writeFile(
      join('test', '.artifacts', 'tracking-live-truth.txt'),
      `LIVE vs TRUTH (${N} customers, log/truth):\n${table.join('\n')}\n`,
    );
    console.log(`LIVE vs TRUTH (${N} customers, log/truth):\n${table.join('\n')}`);
  }, 900_000);
});
