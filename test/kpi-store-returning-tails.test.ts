// After each tail the KPI store recomputes the advocates it touched (reports/engine/tracking-store.ts). Here returning
// advocates' later records change every kind of derived fact, tail by tail: later answers, a new segment, earlier
// records arriving late (out of order), records at the same time as the one that decided a fact, a record without
// a version, a referral's milestones, records naming only a referral before its owner is known, and a referral whose
// owner changes (an earlier submission arriving late). After every tail the store equals the view built in one go
// from the same logs, row for row (every column), and a store built in one go, KPI for KPI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { compileKpis } from '../reports/engine/kpi-compile.ts';
import { runKpiReport, type KpiQuery, type KpiReport } from '../reports/engine/kpi-engine.ts';
import { STORE_FILE, type IngestSummary } from '../reports/engine/tracking-store.ts';
import { defineTrackingView } from '../reports/engine/tracking-view.ts';
import type { KpiDefinition } from '../definitions/kpi-definitions.ts';

const QUERIES: KpiQuery[] = [{}, { by: ['segment', 'week'] }, { by: ['cohort', 'variant'] }];

const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday
const at = (d: number) => new Date(T0 + d * 3_600_000).toISOString(); // d in hours
type Line = Record<string, unknown>;
/** A record a journey run writes (journey `j`, version 1 unless said). */
const rec = (key: string, customerId: string, h: number, type: string, data: Line = {}, extra: Line = {}): Line => ({
  key,
  at: at(h),
  journeyId: 'j',
  journeyVersion: 1,
  customerId,
  stage: 'track',
  type,
  data,
  ...extra,
});
/** What the API writes for an event about a referred lead: no journey, the referral named. */
const api = (key: string, customerId: string, h: number, type: string, data: Line): Line => ({
  key,
  at: at(h),
  customerId,
  stage: 'track',
  type,
  data,
});

/** The tails, in order; each is appended and ingested alone. */
const TAILS: { what: string; lines: Line[] }[] = [
  {
    what: 'the bulk: advocates A, B, C with asks, answers, actions and referrals',
    lines: [
      rec('a01', 'A', 0, 'nps.received', { nps: 9 }, { segment: 'smb' }),
      rec('a02', 'A', 10, 'ask.sent', {}, { variant: 'v2' }),
      rec('a03', 'A', 12, 'action.taken', { cycle: 2 }),
      rec('a04', 'A', 12, 'referral.submitted', { referralId: 'ra' }),
      api('a05', 'acct-ra', 14, 'lead.qualified', { referralId: 'ra', level: 'mql' }),
      rec('b01', 'B', 1, 'nps.received', { nps: 10 }, { segment: 'enterprise' }),
      rec('b02', 'B', 20, 'ask.sent', {}, { variant: 'v1' }),
      rec('b03', 'B', 30, 'referral.submitted', { referralId: 'rb' }),
      rec('c01', 'C', 2, 'nps.received', { nps: 7 }, { journeyVersion: 2 }),
      rec('c02', 'C', 40, 'ask.sent'),
      rec('c03', 'C', 50, 'referral.submitted', { referralId: 'rc' }),
      // Named only by the referral: its owner (D's submission) arrives in a later tail.
      api('d00', 'acct-rd', 60, 'lead.qualified', { referralId: 'rd', level: 'sql' }),
      rec('d01', 'D', 3, 'nps.received', { nps: 8 }),
    ],
  },
  {
    what: 'later answers and a new segment; a record without a version; milestones of a referral',
    lines: [
      rec('a10', 'A', 100, 'nps.received', { nps: 3 }, { segment: 'mid' }),
      rec('b10', 'B', 101, 'nps.received', { nps: 6 }, { journeyVersion: 2 }),
      api('b11', 'B', 102, 'referral.link_clicked', { referralId: 'rb' }),
      rec('b12', 'B', 103, 'referral.opportunity', { referralId: 'rb', revenue: 500, amount: 500 }),
      rec('c10', 'C', 104, 'referral.closed_won', { referralId: 'rc', revenue: 900 }, { journeyVersion: undefined }), // the owner's
      rec('c11', 'C', 106, 'delight', {}, { journeyVersion: undefined }), // no version: its run's latest
    ],
  },
  {
    what: 'earlier records arriving late: an earlier ask, variant, action, click, NPS and version',
    lines: [
      rec('a20', 'A', 5, 'ask.sent', {}, { variant: 'v0' }),
      rec('a21', 'A', 6, 'action.taken', { cycle: 1 }),
      api('a22', 'A', 11, 'referral.link_clicked', { referralId: 'ra' }),
      rec('b20', 'B', 0, 'nps.received', { nps: 1 }, { segment: 'smb', journeyVersion: 5 }),
      rec('c20', 'C', 45, 'referral.link_clicked', { referralId: 'rc' }),
      rec('c21', 'C', 105, 'delight', {}, { journeyVersion: 4 }), // before c11 (no version): now its run's version
    ],
  },
  {
    what: 'equal times: records at the same time as the one that decided a fact, with keys on either side',
    lines: [
      rec('a99', 'A', 100, 'nps.received', { nps: 10 }, { segment: 'strategic' }), // same time as a10
      rec('a00', 'A', 5, 'ask.sent', {}, { variant: 'vz' }), // same time as a20
      rec('b00', 'B', 101, 'nps.received', { nps: 0 }, { journeyVersion: 9 }), // same time as b10
      rec('c99', 'C', 104, 'referral.closed_won', { referralId: 'rc', revenue: 1 }),
      rec('c98', 'C', 105, 'delight', {}, { journeyVersion: 6 }), // same time as c21
    ],
  },
  {
    what: "the owner of a referral named before arrives (D's submission), and one referral changes owner (E submitted ra first)",
    lines: [
      rec('d10', 'D', 55, 'referral.submitted', { referralId: 'rd' }, { journeyVersion: 3 }),
      rec('e10', 'E', 8, 'referral.submitted', { referralId: 'ra' }),
      rec('e11', 'E', 7, 'ask.sent'),
      api('e12', 'acct-ra', 120, 'referred_account.renewed', { referralId: 'ra', arr: 100 }),
    ],
  },
  {
    what: 'after the move: more records of both owners merge again',
    lines: [
      rec('a40', 'A', 130, 'nps.received', { nps: 9 }),
      rec('e40', 'E', 131, 'referral.opportunity', { referralId: 'ra', revenue: 700, amount: 700 }),
      api('d40', 'acct-rd', 132, 'referral.closed_won', { referralId: 'rd', revenue: 300 }),
    ],
  },
];

const ndjson = (lines: Line[]) => lines.map((l) => `${JSON.stringify(l)}\n`).join('');

async function readRows(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The view built in one go over the logs read in place (derivedRowsSql over every record). */
async function oneGoRows(dataDir: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    await defineTrackingView(conn, dataDir);
    return (await conn.runAndReadAll(`SELECT * EXCLUDE (source_file) FROM tracking ORDER BY record_key`)).getRowObjectsJson() as Record<
      string,
      unknown
    >[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const storeRows = (dataDir: string) =>
  readRows(join(dataDir, STORE_FILE), `SELECT * EXCLUDE (source_file, adv_hash, seq) FROM tracking_rows ORDER BY record_key`);

function expectSameReport(got: KpiReport, want: KpiReport, where: string) {
  expect(got.sources.records, where).toBe(want.sources.records);
  expect(
    got.groups.map((g) => g.key),
    where,
  ).toEqual(want.groups.map((g) => g.key));
  want.groups.forEach((g, i) => {
    for (const [id, expected] of Object.entries(g.values)) {
      const value = got.groups[i].values[id];
      const here = `${id} ${JSON.stringify(g.key)} ${where}`;
      if (expected === null || value === null || Number.isInteger(expected)) expect(value, here).toBe(expected);
      else expect(Math.abs(value - expected), `${here}: ${value} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
    }
  });
}

describe('the KPI store after tails of returning advocates equals a store built in one go', () => {
  let root: string;
  let definitions: KpiDefinition[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpi-returning-tails-'));
    definitions = await compileKpis();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('every fact a later or earlier record changes, equal times and owner changes included: row for row and KPI for KPI', async () => {
    const live = join(root, 'live');
    await mkdir(join(live, 'tracking'), { recursive: true });
    const facts: Record<string, unknown>[][] = [];
    for (const [i, tail] of TAILS.entries()) {
      await appendFile(join(live, 'tracking', 'events-host-1.ndjson'), ndjson(tail.lines));
      const reports: KpiReport[] = [];
      for (const query of QUERIES) reports.push(await runKpiReport(live, query, { definitions }));
      const store = reports[0].sources.store as IngestSummary;
      expect(store, tail.what).toMatchObject({ seq: i + 1, rebuilt: false, newRecords: tail.lines.length });
      const rows = await storeRows(live);
      expect(rows, `rows after: ${tail.what}`).toEqual(await oneGoRows(live));
      facts.push(rows);

      const fresh = join(root, `fresh-${i}`);
      await cp(join(live, 'tracking'), join(fresh, 'tracking'), { recursive: true });
      for (const [q, query] of QUERIES.entries()) {
        const full = await runKpiReport(fresh, query, { definitions });
        expect(full.sources.store).toMatchObject({ seq: 1 });
        expectSameReport(reports[q], full, `query ${q} after: ${tail.what}`);
      }
    }
    // The tails did change each kind of fact of stored rows, so the comparisons above covered each. (Which of two
    // records at the same time decides a fact is not defined by the view's SQL: the tail of ties is compared only.)
    const row = (tail: number, key: string) => facts[tail].find((r) => r.record_key === key)!;
    const time = (h: number) => at(h).replace('T', ' ').replace('.000Z', '+00');
    expect([row(0, 'a01').last_nps, row(1, 'a01').last_nps, row(5, 'a01').last_nps]).toEqual([9, 3, 9]);
    expect([row(0, 'a01').segment, row(1, 'a01').segment]).toEqual(['smb', 'mid']);
    expect([row(0, 'a03').first_ask_at, row(2, 'a03').first_ask_at]).toEqual([time(10), time(5)]);
    expect([row(0, 'a01').variant, row(2, 'a01').variant]).toEqual(['v2', 'v0']);
    expect([row(0, 'a01').first_action_cycle, row(2, 'a01').first_action_cycle]).toEqual([2, 1]);
    expect([row(1, 'c10').journey_version, row(1, 'c11').journey_version, row(2, 'c11').journey_version]).toEqual([1, 1, 4]);
    expect([row(0, 'b03').referral_clicked_at, row(1, 'b03').referral_clicked_at]).toEqual([null, time(102)]);
    expect([row(0, 'd00').advocate_id, row(4, 'd00').advocate_id, row(4, 'd00').journey_version]).toEqual(['acct-rd', 'D', 3]);
    expect([row(0, 'a05').advocate_id, row(4, 'a05').advocate_id, row(4, 'a04').referral_submitted_at]).toEqual(['A', 'E', time(12)]);
  }, 300_000);
});
