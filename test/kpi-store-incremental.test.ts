// An incremental update of the KPI store after a tail gives exactly the numbers of a store built in one go from the
// same logs: the rollups of several dimension sets, built before the tail, are caught up over only the advocates the
// tail touched, and the rows a report cached before the tail (reports/engine/report-cache.ts) are never served after
// it. The tail holds both new customers and later records of advocates the store already holds (the rest of each
// log), so touched advocates' derived facts (first ask, cohort, segment, referral owners) change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePopulation } from '../bench/report-population.ts';
import { compileKpis } from '../reports/engine/kpi-compile.ts';
import { runKpiReport, type KpiQuery, type KpiReport } from '../reports/engine/kpi-engine.ts';
import type { KpiDefinition } from '../definitions/kpi-definitions.ts';

const QUERIES: KpiQuery[] = [
  {},
  { by: ['segment', 'week'] },
  { by: ['cohort', 'variant'], motion: 'referral' },
  { by: ['journey', 'month'], segment: 'enterprise' },
];

/**
 * Counts, nulls and every KPI whose value is whole are equal exactly. A ratio of floating sums (durations in days,
 * amounts) may differ in its last bit and no more: the store adds the same doubles in another order (a rollup caught
 * up puts the touched advocates' rows last), so it is compared to 1e-12 of its value.
 */
function expectSameValues(got: Record<string, number | null>, want: Record<string, number | null>, where: string) {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [id, expected] of Object.entries(want)) {
    const value = got[id];
    if (expected === null || value === null || Number.isInteger(expected)) expect(value, `${id} ${where}`).toBe(expected);
    else expect(Math.abs(value - expected), `${id} ${where}: ${value} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
  }
}

describe('the KPI store after a tail equals a full rebuild', () => {
  let root: string;
  let definitions: KpiDefinition[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpi-incremental-'));
    definitions = await compileKpis();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('every KPI of every query, number for number, and no cached answer outlives the tail', async () => {
    const source = join(root, 'source', 'tracking');
    await writePopulation({ dir: source, records: 15_000, files: 3, seed: 21 });
    const names = (await readdir(source)).sort();
    const texts = await Promise.all(names.map((n) => readFile(join(source, n), 'utf8')));
    const cuts = texts.map((t) => t.lastIndexOf('\n', Math.floor(t.length * 0.7)) + 1);

    // The store at 70 % of each log, with a rollup (and a cached answer) for every query.
    const live = join(root, 'live');
    await mkdir(join(live, 'tracking'), { recursive: true });
    await Promise.all(names.map((n, i) => writeFile(join(live, 'tracking', n), texts[i].slice(0, cuts[i]))));
    const before: KpiReport[] = [];
    for (const query of QUERIES) before.push(await runKpiReport(live, query, { definitions }));
    // Asked again with nothing new: the cached answer is the computed one.
    for (const [i, query] of QUERIES.entries()) expect((await runKpiReport(live, query, { definitions })).groups).toEqual(before[i].groups);

    // The tail: the rest of each log (later records of advocates already stored) and new customers in a new log.
    await Promise.all(names.map((n, i) => appendFile(join(live, 'tracking', n), texts[i].slice(cuts[i]))));
    await writePopulation({ dir: join(live, 'tracking'), records: 2_000, files: 4, append: true, customerPrefix: 'tail-', seed: 5 });
    const incremental: KpiReport[] = [];
    for (const query of QUERIES) incremental.push(await runKpiReport(live, query, { definitions }));
    expect(incremental[0].sources.store).toMatchObject({ seq: 2, rebuilt: false });
    expect(incremental[0].sources.store!.newRecords).toBeGreaterThan(0);
    expect(incremental[0].sources.store!.advocates).toBeGreaterThan(0);
    // Advocates already stored were touched, and the numbers moved.
    expect(incremental[0].groups).not.toEqual(before[0].groups);

    // The same logs, a store built in one go.
    const fresh = join(root, 'fresh');
    await cp(join(live, 'tracking'), join(fresh, 'tracking'), { recursive: true });
    for (const [i, query] of QUERIES.entries()) {
      const full = await runKpiReport(fresh, query, { definitions });
      expect(full.sources.store).toMatchObject({ seq: 1 });
      expect(incremental[i].sources.records).toBe(full.sources.records);
      expect(incremental[i].kpis).toEqual(full.kpis);
      expect(incremental[i].groups.map((g) => g.key)).toEqual(full.groups.map((g) => g.key));
      full.groups.forEach((g, j) => expectSameValues(incremental[i].groups[j].values, g.values, JSON.stringify(g.key)));
    }
  }, 300_000);
});
