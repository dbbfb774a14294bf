// The KPI report over a generated population with known true rates: a seeded random population of
// customers goes through the funnel with chosen probabilities; the generator tallies the true counts as it
// writes the tracking records, and the DuckDB engine over the NDJSON log must give exactly those rates (and near
// the chosen ones).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingRecord } from '../workflows/contract/index.ts';
import { runKpiReport, type KpiReport } from '../reports/engine/kpi-engine.ts';
import { seededRandom } from '../reports/experiments/stats.ts';

const P = {
  nps: 0.9,
  promoter: 0.45,
  qualified: 0.35,
  asked: 0.8,
  acted: 0.3,
  referralPerAction: 0.7,
  won: 0.25,
  lostIfNotWon: 0.5,
  reEngage: 0.2,
  reversed: 0.1,
};
const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function generate(seed: number, journeyId: string, version: number, n: number) {
  const rand = seededRandom(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const records: TrackingRecord[] = [];
  const truth = {
    customers: n,
    withNps: 0,
    promoters: 0,
    qualified: 0,
    asked: 0,
    acted: 0,
    askedReferrers: 0,
    actions: 0,
    referrals: 0,
    won: 0,
    lost: 0,
    reEngaged: 0,
    revenue: 0,
    pipeline: 0,
    cost: 0,
    firstReferralDays: [] as number[],
    closeDays: [] as number[],
  };
  for (let i = 0; i < n; i++) {
    const customerId = `${journeyId}-v${version}-c${i}`;
    let t = T0 + between(0, 30) * DAY;
    const rec = (type: string, data: Record<string, unknown> = {}, stage: TrackingRecord['stage'] = 'listen') =>
      records.push({
        key: `${customerId}:${records.length}`,
        at: new Date(t).toISOString(),
        journeyId,
        journeyVersion: version,
        customerId,
        stage,
        type,
        data,
      });
    const hasNps = rand() < P.nps;
    const nps = hasNps ? (rand() < P.promoter ? between(9, 10) : between(0, 8)) : undefined;
    if (hasNps) {
      truth.withNps++;
      if (nps! >= 9) truth.promoters++;
    }
    if (hasNps) rec('nps.received', { nps });
    rec('delight', hasNps ? { signal: 'nps', nps } : { signal: 'milestone' });
    if (rand() >= P.qualified) {
      rec('disqualified', { rule: 'fit' }, 'qualify');
      continue;
    }
    truth.qualified++;
    rec('qualified', { motion: 'referral' }, 'qualify');
    if (rand() >= P.asked) continue;
    truth.asked++;
    t += DAY;
    const askAt = t;
    rec('ask.sent', { attempt: 1 }, 'invite');
    if (rand() >= P.acted) continue;
    truth.acted++;
    const cycles = rand() < P.reEngage ? 2 : 1;
    if (cycles === 2) truth.reEngaged++;
    let firstReferral: number | undefined;
    for (let cycle = 0; cycle < cycles; cycle++) {
      if (cycle > 0) {
        t += 20 * DAY;
        rec('cycle.completed', {}, 'expand');
      }
      const actions = between(1, 3);
      for (let a = 0; a < actions; a++) {
        t += between(1, 10) * DAY;
        truth.actions++;
        rec('action.taken', { eventType: 'referral.submitted', cycle: cycle + 1 }, 'activate');
        if (rand() >= P.referralPerAction) continue;
        const referralId = `r${cycle}-${a}`;
        truth.referrals++;
        firstReferral ??= t;
        const submittedAt = t;
        rec('referral.submitted', { referralId }, 'track');
        const amount = between(10, 50) * 100;
        const outcome = rand();
        t += between(5, 30) * DAY;
        rec('referral.opportunity', { referralId, revenue: amount }, 'track');
        truth.pipeline += amount;
        if (outcome < P.won) {
          t += between(5, 30) * DAY;
          rec('referral.closed_won', { referralId, revenue: amount }, 'track');
          truth.won++;
          truth.revenue += amount;
          truth.closeDays.push((t - submittedAt) / DAY);
          rec('reward.issued', { referralId, role: 'referrer', amount: 50, currency: 'USD' }, 'reward');
          rec('reward.issued', { referralId, role: 'referred', amount: 20, currency: 'USD' }, 'reward');
          truth.cost += 70;
          if (rand() < P.reversed) {
            t += DAY;
            rec('reward.reversed', { referralId, amount: 50 }, 'reward');
            truth.cost -= 50;
          }
        } else if (rand() < P.lostIfNotWon) {
          rec('referral.closed_lost', { referralId }, 'track');
          truth.lost++;
        }
        t = submittedAt;
      }
    }
    if (firstReferral !== undefined) {
      truth.askedReferrers++;
      truth.firstReferralDays.push((firstReferral - askAt) / DAY);
    }
  }
  return { records, truth };
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

function writeLog(records: TrackingRecord[], repeated = 0): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'report-'));
  mkdirSync(join(dataDir, 'tracking'));
  writeFileSync(
    join(dataDir, 'tracking', 'events.ndjson'),
    `${[...records, ...records.slice(0, repeated)].map((r) => JSON.stringify(r)).join('\n')}\n`,
  );
  return dataDir;
}

describe('the KPI report gives the true rates of a generated population', () => {
  const a = generate(42, 'nps-referral', 2, 4000);
  const b = generate(7, 'nps-referral', 3, 1500);
  // Records after the period must not count.
  const late: TrackingRecord = {
    key: 'late',
    at: '2031-01-01T00:00:00.000Z',
    journeyId: 'nps-referral',
    journeyVersion: 2,
    customerId: 'late-1',
    stage: 'qualify',
    type: 'qualified',
  };
  let report: KpiReport;
  let k: Record<string, number | null>;
  beforeAll(async () => {
    report = await runKpiReport(writeLog([...a.records, ...b.records, late], 50), {
      from: '2025-12-01T00:00:00Z',
      to: '2030-01-01T00:00:00Z',
    });
    k = report.groups[0].values;
  }, 120_000);

  it('per journey and version', () => {
    expect(report.groups.map((g) => [g.key.journey, g.key.version, g.values['delighted-customers']])).toEqual([
      ['nps-referral', 2, 4000],
      ['nps-referral', 3, 1500],
    ]);
  });

  it("equals the generator's tallies exactly (the 50 repeated lines counted once)", () => {
    const t = a.truth;
    expect(k['qualified-customers']).toBe(t.qualified);
    expect(k['promoter-rate']).toBeCloseTo(t.promoters / t.withNps, 12);
    expect(k['referral-ready-account-rate']).toBeCloseTo(t.qualified / t.customers, 12);
    expect(k['warm-introduction-offer-rate']).toBeCloseTo(t.asked / t.qualified, 12);
    expect(k['referral-invitation-rate']).toBeCloseTo(t.askedReferrers / t.asked, 12);
    expect(k['referral-prompt-acceptance-rate']).toBeCloseTo(t.acted / t.asked, 12);
    expect(k['referral-program-participation-rate']).toBeCloseTo(t.acted / t.qualified, 12);
    expect(k['activities-per-advocate']).toBeCloseTo(t.actions / t.acted, 12);
    expect(k['referral-conversion-rate']).toBeCloseTo(t.won / t.referrals, 12);
    expect(k['referred-deal-win-rate']).toBeCloseTo(t.won / (t.won + t.lost), 12);
    expect(k['advocate-re-engagement-rate']).toBeCloseTo(t.reEngaged / t.acted, 12);
    expect(k['revenue-from-referrals']).toBe(t.revenue);
    expect(k['referral-pipeline']).toBe(t.pipeline);
    expect(k['reward-cost']).toBe(t.cost);
    expect(k['referral-campaign-roi']).toBeCloseTo((t.revenue - t.cost) / t.cost, 12);
    expect(k['time-to-first-referral-days']).toBeCloseTo(mean(t.firstReferralDays), 9);
    expect(k['avg-days-referral-to-close']).toBeCloseTo(mean(t.closeDays), 9);
  });

  it('and those are near the chosen probabilities (the generator is honest)', () => {
    const near = (value: number | null, p: number, n: number) =>
      expect(Math.abs(value! - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    near(k['promoter-rate'], P.promoter, a.truth.withNps);
    near(k['referral-ready-account-rate'], P.qualified, 4000);
    near(k['referral-prompt-acceptance-rate'], P.acted, a.truth.asked);
    near(k['referral-conversion-rate'], P.won, a.truth.referrals);
    near(k['advocate-re-engagement-rate'], P.reEngage, a.truth.acted);
    expect(k['warm-introduction-offer-rate']).toBeCloseTo(P.asked, 1);
  });

  it('`journey report` prints the same numbers as JSON, CSV and a table from the NDJSON log', () => {
    const dataDir = writeLog(a.records, 50);
    const cli = (...args: string[]) =>
      execFileSync('node', ['cli/journey.mjs', 'report', '--data', dataDir, ...args], { encoding: 'utf8' });
    const report = JSON.parse(cli('--json', '--from', '2025-12-01', '--journey', 'nps-referral')) as KpiReport;
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0].values['qualified-customers']).toBe(a.truth.qualified);
    expect(report.groups[0].values['revenue-from-referrals']).toBe(a.truth.revenue);
    const csv = cli('--csv', '--kpi', 'revenue-from-referrals,referral-link-clicks').trim().split('\n');
    expect(csv).toEqual([
      'journey,version,kpi,unit,status,value,waiting_for',
      'nps-referral,2,referral-link-clicks,count,waiting,,referral.link_clicked',
      `nps-referral,2,revenue-from-referrals,currency,ok,${a.truth.revenue},`,
    ]);
    const table = cli();
    expect(table).toContain('nps-referral v2');
    expect(table).toMatch(/Referral conversion rate\s+\d+\.\d%/);
    expect(table).toMatch(/Referral link clicks\s+waiting for referral\.link_clicked/);
    expect(() => cli('--by', 'journey,colour')).toThrow(/--by unknown dimension `colour`/);
  });
});
