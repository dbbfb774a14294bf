// The KPI report over a generated population with known true rates: a seeded random population of
// customers goes through the funnel with chosen probabilities; the generator tallies the true counts as it
// writes the tracking records, and the report must give exactly those rates (and near the chosen ones).
import type { TrackingRecord } from '../workflows/contract/index.ts';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeKpis } from '../reports/kpis.ts';

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const rand = mulberry32(seed);
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
    const customerId = `${journeyId}-c${i}`;
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
        rec('action.taken', { eventType: 'referral.submitted' }, 'activate');
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
  const kpis = computeKpis([...a.records, ...b.records, late], { from: '2025-12-01T00:00:00Z', to: '2030-01-01T00:00:00Z' });

  it('per journey and version', () => {
    expect(kpis.map((k) => [k.journeyId, k.journeyVersion, k.customers])).toEqual([
      ['nps-referral', 2, 4000],
      ['nps-referral', 3, 1500],
    ]);
  });

  it("equals the generator's tallies exactly", () => {
    const k = kpis[0];
    const t = a.truth;
    expect(k.advocatePoolSize).toBe(t.qualified);
    expect(k.promoterRate).toBeCloseTo(t.promoters / t.withNps, 12);
    expect(k.referralReadyRate).toBeCloseTo(t.qualified / t.customers, 12);
    expect(k.askedRate).toBeCloseTo(t.asked / t.customers, 12);
    expect(k.invitationRate).toBeCloseTo(t.askedReferrers / t.asked, 12);
    expect(k.promptAcceptanceRate).toBeCloseTo(t.acted / t.asked, 12);
    expect(k.participationRate).toBeCloseTo(t.acted / t.qualified, 12);
    expect(k.activitiesPerAdvocate).toBeCloseTo(t.actions / t.acted, 12);
    expect(k.referralConversionRate).toBeCloseTo(t.won / t.referrals, 12);
    expect(k.winRate).toBeCloseTo(t.won / (t.won + t.lost), 12);
    expect(k.reEngagementRate).toBeCloseTo(t.reEngaged / t.acted, 12);
    expect(k.referralRevenue).toBe(t.revenue);
    expect(k.referralPipeline).toBe(t.pipeline);
    expect(k.rewardCost).toBe(t.cost);
    expect(k.roi).toBeCloseTo((t.revenue - t.cost) / t.cost, 12);
    expect(k.timeToFirstReferralDays.n).toBe(t.firstReferralDays.length);
    expect(k.timeToFirstReferralDays.mean).toBeCloseTo(mean(t.firstReferralDays), 9);
    expect(k.daysReferralToClose.n).toBe(t.closeDays.length);
    expect(k.daysReferralToClose.mean).toBeCloseTo(mean(t.closeDays), 9);
  });

  it('and those are near the chosen probabilities (the generator is honest)', () => {
    const k = kpis[0];
    const near = (value: number | null, p: number, n: number) =>
      expect(Math.abs(value! - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    near(k.promoterRate, P.promoter, a.truth.withNps);
    near(k.referralReadyRate, P.qualified, 4000);
    near(k.promptAcceptanceRate, P.acted, a.truth.asked);
    near(k.referralConversionRate, P.won, a.truth.referrals);
    near(k.reEngagementRate, P.reEngage, a.truth.acted);
    expect(k.askedRate).toBeCloseTo(P.qualified * P.asked, 1);
  });

  it('`journey report --json` prints the same numbers from the NDJSON log', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'report-'));
    mkdirSync(join(dataDir, 'tracking'));
    writeFileSync(
      join(dataDir, 'tracking', 'events.ndjson'),
      `${[...a.records, ...a.records.slice(0, 50)].map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    const out = execFileSync(
      'node',
      ['cli/journey.mjs', 'report', '--json', '--data', dataDir, '--from', '2025-12-01', '--journey', 'nps-referral'],
      { encoding: 'utf8' },
    );
    const report = JSON.parse(out);
    expect(report.journeys).toHaveLength(1);
    expect(report.journeys[0].advocatePoolSize).toBe(a.truth.qualified); // the repeated lines counted once
    expect(report.journeys[0].referralRevenue).toBe(a.truth.revenue);
    const table = execFileSync('node', ['cli/journey.mjs', 'report', '--data', dataDir], { encoding: 'utf8' });
    expect(table).toContain('nps-referral v2');
    expect(table).toMatch(/referral conversion\s+\d+\.\d%/);
  });
});
