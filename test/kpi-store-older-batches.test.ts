// After a tail, the KPI store recomputes the advocates it touched from their records, and reads those records only
// from the first ingest batch any of them appears in (reports/engine/tracking-store.ts, `credited_first_batch`):
// a tail of new customers reads no older batch at all, more records of those customers read back to their batch and
// not the bulk one before it, and records of advocates of the first batch read it all. At each step every KPI equals
// a store built in one go from the same logs: reading too few batches would lose an advocate's earlier records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePopulation } from '../bench/report-population.ts';
import { compileKpis } from '../reports/engine/kpi-compile.ts';
import { runKpiReport, type KpiQuery, type KpiReport } from '../reports/engine/kpi-engine.ts';
import { STORE_FILE } from '../reports/engine/tracking-store.ts';
import type { KpiDefinition } from '../definitions/kpi-definitions.ts';
import { DuckDBInstance } from '@duckdb/node-api';

const QUERIES: KpiQuery[] = [{}, { by: ['segment', 'week'] }, { by: ['cohort', 'variant'], motion: 'referral' }];

/** Each generated log cut at a complete line near `share` of it: the head and the rest, by file name. */
async function splitLogs(source: string, share: number): Promise<{ name: string; head: string; rest: string }[]> {
  const names = (await readdir(source)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(source, name), 'utf8');
      const cut = text.lastIndexOf('\n', Math.floor(text.length * share)) + 1;
      return { name, head: text.slice(0, cut), rest: text.slice(cut) };
    }),
  );
}

async function appendLogs(dataDir: string, parts: { name: string; text: string }[]): Promise<void> {
  await mkdir(join(dataDir, 'tracking'), { recursive: true });
  for (const p of parts) await appendFile(join(dataDir, 'tracking', p.name), p.text);
}

/** Counts and whole values exactly; a ratio of floating sums to 1e-12 of its value (the store adds in another order). */
function expectSameReport(got: KpiReport, want: KpiReport, where: string) {
  expect(got.sources.records, where).toBe(want.sources.records);
  expect(got.kpis).toEqual(want.kpis);
  expect(got.groups.map((g) => g.key)).toEqual(want.groups.map((g) => g.key));
  want.groups.forEach((g, i) => {
    for (const [id, expected] of Object.entries(g.values)) {
      const value = got.groups[i].values[id];
      const at = `${id} ${JSON.stringify(g.key)} ${where}`;
      if (expected === null || value === null || Number.isInteger(expected)) expect(value, at).toBe(expected);
      else expect(Math.abs(value - expected), `${at}: ${value} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
    }
  });
}

describe('the KPI store reads touched advocates only from the batches they appear in', () => {
  let root: string;
  let definitions: KpiDefinition[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpi-older-batches-'));
    definitions = await compileKpis();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let step = 0;
  /** Appends to the logs of `live`, reports, and compares every query with a store built in one go from the same logs. */
  async function reportAndCompare(live: string, parts: { name: string; text: string }[]) {
    await appendLogs(live, parts);
    const reports: KpiReport[] = [];
    for (const query of QUERIES) reports.push(await runKpiReport(live, query, { definitions }));
    const fresh = join(root, `fresh-${++step}`);
    await cp(join(live, 'tracking'), join(fresh, 'tracking'), { recursive: true });
    for (const [i, query] of QUERIES.entries()) {
      const full = await runKpiReport(fresh, query, { definitions });
      expect(full.sources.store).toMatchObject({ seq: 1, rebuilt: false });
      expectSameReport(reports[i], full, `after step ${step}, query ${i}`);
    }
    return reports[0].sources.store!;
  }

  it('new customers read no older batch, later records read back to their own batch, and every KPI stays exact', async () => {
    // Two populations: the bulk one (batch 1, the rest of its logs comes last) and new customers (batches 2 and 3).
    await writePopulation({ dir: join(root, 'bulk'), records: 8_000, files: 3, seed: 31 });
    await writePopulation({ dir: join(root, 'newer'), records: 3_000, files: 3, seed: 32, customerPrefix: 'newer-' });
    const bulk = await splitLogs(join(root, 'bulk'), 0.7);
    const newer = await splitLogs(join(root, 'newer'), 0.6);
    const live = join(root, 'live');
    const reportAfter = (parts: { name: string; text: string }[]) => reportAndCompare(live, parts);

    const first = await reportAfter(bulk.map((p) => ({ name: p.name, text: p.head })));
    expect(first).toMatchObject({ seq: 1, readFromBatch: 1 });

    // New customers only (in a log of their own): none of them is in batch 1, so it is not read.
    const second = await reportAfter(newer.map((p) => ({ name: `newer-${p.name}`, text: p.head })));
    expect(second).toMatchObject({ seq: 2, readFromBatch: 2 });
    expect(second.advocates).toBeGreaterThan(0);

    // The rest of the new customers' logs: later records of advocates first seen in batch 2 (their earlier records
    // must be read: batch 2), and some customers new in batch 3; batch 1 still not read.
    const third = await reportAfter(newer.map((p) => ({ name: `newer-${p.name}`, text: p.rest })));
    expect(third).toMatchObject({ seq: 3, readFromBatch: 2 });

    // The rest of the bulk logs: advocates of batch 1 are touched, so it is read.
    const fourth = await reportAfter(bulk.map((p) => ({ name: p.name, text: p.rest })));
    expect(fourth).toMatchObject({ seq: 4, readFromBatch: 1 });
  }, 300_000);

  it('a store written before the first-batch table existed gets it from its records, not an empty one', async () => {
    await writePopulation({ dir: join(root, 'older-store'), records: 6_000, files: 2, seed: 33 });
    const logs = await splitLogs(join(root, 'older-store'), 0.7);
    const live = join(root, 'live-older');
    expect(
      await reportAndCompare(
        live,
        logs.map((p) => ({ name: p.name, text: p.head })),
      ),
    ).toMatchObject({ seq: 1 });
    // The store as the previous version of the code left it: no credited_first_batch.
    const instance = await DuckDBInstance.create(join(live, STORE_FILE));
    const conn = await instance.connect();
    await conn.run('DROP TABLE credited_first_batch');
    conn.closeSync();
    instance.closeSync();
    // The rest of the logs touches advocates of batch 1: with an empty table they would look new and batch 1 unread.
    const next = await reportAndCompare(
      live,
      logs.map((p) => ({ name: p.name, text: p.rest })),
    );
    expect(next).toMatchObject({ seq: 2, readFromBatch: 1, rebuilt: false });
  }, 300_000);
});
