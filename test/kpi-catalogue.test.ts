// Every shipped KPI on a small hand-checked log (test/kpis/hand-log.ts): each expected value below is worked out
// by hand from that log (the arithmetic is in the comment), never taken from the engine. Also: the log's repeated
// line counts once, its torn line is skipped, and every breakdown and filter splits the same records.
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { compileKpis } from '../reports/engine/kpi-compile.ts';
import { runKpiReport, type KpiReport } from '../reports/engine/kpi-engine.ts';
import type { KpiDefinition } from '../definitions/kpi-definitions.ts';
import { day, writeHandLog } from './kpis/hand-log.ts';

// Journey j v1. Customers A (enterprise), B (smb), C (smb, passive), D (enterprise, disqualified), E (strategic).
// Referrals: r1 (A: clicked d3, submitted d4, mql d5, sql d6, opportunity 1000 d8, won 1000 d12, renewed 1200, +300),
// r2 (B: submitted d5, mql d7, opportunity 500 d9, lost d15), r3 (B: submitted d10, won 2000 d30, churned 2000).
const EXPECTED: Record<string, number | 'waiting' | 'waiting-in-group'> = {
  'delighted-customers': 4, // A B D E
  'qualified-customers': 3, // A B E
  'asked-customers': 3, // A B E
  'acting-advocates': 2, // A B
  'referring-advocates': 2, // A B
  'advocates-with-won-referral': 2, // A (r1) B (r3)
  'funnel-drop-off-delighted-to-qualified': 1 - 3 / 4,
  'funnel-drop-off-qualified-to-asked': 0,
  'funnel-drop-off-asked-to-acted': 1 - 2 / 3,
  'funnel-drop-off-acted-to-referred': 0,
  'funnel-drop-off-referred-to-won': 0,
  'referral-ready-account-rate': 3 / 4,
  'warm-introduction-offer-rate': 3 / 3,
  'referral-prompt-acceptance-rate': 2 / 3,
  'referral-prompt-interaction-rate': 'waiting', // ask.engaged: only in-product prompt clicks write it, and this log has none
  'referral-program-participation-rate': 2 / 3,
  'referral-invitation-rate': 2 / 3,
  'customer-referral-rate': 2 / 5, // referrers A B / heard from A B C D E
  'referral-discussion-initiation-rate': 2 / 3, // A (shared, acted) B (acted) / asked
  'share-rate-among-icps': 1 / 2, // A shared / asked ICP: A (enterprise) E (strategic)
  'personalized-referral-outreach-rate': 1, // A's one share was personalized
  'promoter-rate': 4 / 5, // last NPS: A 10, B 9, C 7, D 10, E 9
  'activities-per-advocate': 3 / 2, // A acted d4 and d50, B d5
  'advocate-re-engagement-rate': 1 / 2, // A acted in cycles 1 and 2
  'referral-readiness-score': 'waiting', // advocate.scored
  'referral-intent-in-qbrs': 'waiting-in-group', // the QBRs have no journey: 1/2 in the group without one
  'community-growth': 0,
  'time-to-first-referral-days': (2 + 2) / 2, // A: ask d2 → referral d4; B: d3 → d5
  'referral-link-shares': 1,
  'referral-link-clicks': 1,
  'referral-engagement-rate': 1 / 1,
  'inbound-referral-lead-volume': 3, // r1 r2 r3
  'referral-generated-mql-rate': 2 / 3, // r1 (mql, sql) r2 (mql)
  'referral-generated-sql-rate': 1 / 3, // r1
  'referral-conversion-rate': 2 / 3, // r1 r3 won
  'referral-incentive-conversion-rate': 1 / 3, // one referred-side reward (r1's friend) / 3 referrals
  'first-referral-conversion-time-days': 12 - 3, // r1 clicked d3, won d12
  'new-users-from-referrals': 2,
  'viral-coefficient': 2 / 3, // 2 won / 3 asked
  'viral-cycle-time-days': (12 - 2 + (30 - 3)) / 2, // r1: A's first ask d2 → won d12; r3: B's d3 → d30
  'avg-days-referral-to-close': (12 - 4 + (30 - 10)) / 2,
  'referred-deal-win-rate': 2 / 3, // won r1 r3 / closed r1 r2 r3
  'strategic-referral-win-rate': 1 / 1, // enterprise/strategic advocates' closed deals: r1 (won)
  'referred-deal-size': (1000 + 2000) / 2,
  'referred-deal-sales-cycle-days': 12 - 8, // r1 opportunity d8 → won d12; r3 had no opportunity
  'revenue-from-referrals': 1000 + 2000,
  'referral-pipeline': 1000 + 500,
  'referral-pipeline-contribution-rate': 'waiting', // account.opportunity
  'referral-account-revenue-contribution': 'waiting', // account.revenue
  'referral-driven-expansion-revenue': 300,
  'referral-retention-rate': 1 / 2, // r1 renewed, r3 churned
  'referral-churn-rate': 1 / 2, // r3 churned / 2 won
  'referred-account-nrr': (1200 + 300) / (1200 + 2000),
  'cltv-referred': (1000 + 2000 + 1200 + 300) / 2,
  'reward-cost': 50 + 20 + 50 - 50,
  'cost-per-acquisition': (50 + 20 + 50 - 50) / 2,
  'referral-campaign-roi': (3000 - 70) / 70,
};

describe('each shipped KPI on a hand-checked log', () => {
  let definitions: KpiDefinition[];
  let report: KpiReport;
  let dataDir: string;
  beforeAll(async () => {
    definitions = await compileKpis();
    dataDir = writeHandLog();
    report = await runKpiReport(dataDir, {}, { definitions });
  }, 60_000);

  it('every KPI file has an expected value here', () => {
    const files = readdirSync('definitions/kpis').map((f) => f.replace(/\.json$/, ''));
    expect(Object.keys(EXPECTED).sort()).toEqual(files.sort());
  });

  it('reads both files, skips the torn line and counts the repeated line once', () => {
    expect(report.sources.files.map((f) => f.split('/').pop())).toEqual(['worker-1.ndjson', 'worker-2.ndjson']);
    expect(report.sources.records).toBe(44);
    expect(report.groups.map((g) => g.key)).toEqual([
      { journey: 'j', version: 1 },
      { journey: null, version: null },
    ]);
  });

  for (const [id, expected] of Object.entries(EXPECTED)) {
    it(`${id}`, () => {
      const status = report.kpis.find((k) => k.id === id)!;
      const value = report.groups[0].values[id];
      if (expected === 'waiting') {
        expect(status.status).toBe('waiting');
        expect(status.waitingFor!.length).toBeGreaterThan(0);
        expect(value).toBeNull();
      } else if (expected === 'waiting-in-group') {
        expect(status.status).toBe('ok');
        expect(value).toBeNull();
        expect(report.groups[1].values[id]).toBeCloseTo(1 / 2, 12);
      } else {
        expect(status.status).toBe('ok');
        expect(value).toBeCloseTo(expected, 12);
      }
    });
  }

  it('a waiting KPI names the record type and what would write it', () => {
    const k = report.kpis.find((x) => x.id === 'referral-account-revenue-contribution')!;
    expect(k.waitingFor).toEqual([{ record: 'account.revenue', writtenBy: null, waitsFor: expect.stringContaining('billing system') }]);
  });

  const values = async (query: Parameters<typeof runKpiReport>[1], id: string) =>
    (await runKpiReport(dataDir, { ...query, kpis: [id] }, { definitions })).groups.map((g) => [g.key, g.values[id]]);

  it('by segment, variant, week and first-ask cohort', async () => {
    expect(await values({ by: ['segment'] }, 'asked-customers')).toEqual([
      [{ segment: 'enterprise' }, 1],
      [{ segment: 'smb' }, 1],
      [{ segment: 'strategic' }, 1],
      [{ segment: null }, 0], // the QBRs
    ]);
    expect(await values({ by: ['variant'], journeyId: 'j' }, 'asked-customers')).toEqual([
      [{ variant: 'enterprise' }, 1], // A's first ask
      [{ variant: null }, 2], // B E
    ]);
    // A asked d2 and d6, B d3, E d2: all in the week of Monday 2026-03-02.
    expect(await values({ by: ['week'], journeyId: 'j' }, 'asked-customers')).toContainEqual([{ week: '2026-03-02' }, 3]);
    expect(await values({ by: ['month'], journeyId: 'j' }, 'revenue-from-referrals')).toEqual([
      [{ month: '2026-03-01' }, 1000], // r1 won on day 12 (March 14)
      [{ month: '2026-04-01' }, 2000], // r3 won on day 30 (April 1)
      [{ month: '2026-05-01' }, 0],
    ]);
    expect(await values({ by: ['cohort'], journeyId: 'j' }, 'referral-conversion-rate')).toEqual([
      [{ cohort: '2026-03-02' }, 2 / 3],
      [{ cohort: null }, null], // C and D were never asked
    ]);
    expect(await values({ by: ['motion'], journeyId: 'j' }, 'qualified-customers')).toEqual([
      [{ motion: 'referral' }, 3], // A B E: the qualified record's data.motion
      [{ motion: null }, 0], // the records before Qualify (nps, delight) and D's disqualification
    ]);
  });

  it('filters: segment, period, cohort, version', async () => {
    expect(await values({ segment: 'smb' }, 'referral-conversion-rate')).toEqual([[{ journey: 'j', version: 1 }, 1 / 2]]); // B: r3 of r2 r3
    // Until day 11: r1 won on day 12 is not in the period.
    expect(await values({ to: day(11) }, 'new-users-from-referrals')).toEqual([
      [{ journey: 'j', version: 1 }, 0],
      [{ journey: null, version: null }, 0],
    ]);
    expect(await values({ cohort: '2026-03-02', journeyId: 'j' }, 'asked-customers')).toEqual([[{ journey: 'j', version: 1 }, 3]]);
    expect(await values({ journeyVersion: 2 }, 'asked-customers')).toEqual([]);
  });
});
