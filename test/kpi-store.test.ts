// The KPI store (reports/engine/tracking-store.ts) and its rollups (kpi-rollup.ts) give exactly the numbers of the
// logs read in place, however the lines arrive: in several ingests, with a torn last line that is completed later,
// a log that appears later, the same record appended again in another process's file, a referral's backend record
// that arrives before its submission, and a log that is cut back or replaced (the store is rebuilt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  { by: ['day'], from: '2026-03-01T00:00:00Z', to: '2026-05-01T00:00:00Z' },
];

/** The two reports agree group by group (floating sums may differ in the last bits). */
function expectSame(store: KpiReport, inPlace: KpiReport) {
  expect(store.sources.records).toBe(inPlace.sources.records);
  expect(store.kpis).toEqual(inPlace.kpis);
  expect(store.groups.map((g) => g.key)).toEqual(inPlace.groups.map((g) => g.key));
  store.groups.forEach((g, i) => {
    for (const [id, value] of Object.entries(g.values)) {
      const expected = inPlace.groups[i].values[id];
      if (value === null || expected === null) expect({ id, key: g.key, value }).toEqual({ id, key: g.key, value: expected });
      else expect(value, `${id} ${JSON.stringify(g.key)}`).toBeCloseTo(expected, 9);
    }
  });
}

describe('the KPI store equals the logs read in place', () => {
  let root: string;
  let definitions: KpiDefinition[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpi-store-'));
    definitions = await compileKpis();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const both = async (dataDir: string, query: KpiQuery = {}) => ({
    store: await runKpiReport(dataDir, query, { definitions }),
    inPlace: await runKpiReport(dataDir, query, { definitions, store: false }),
  });

  it('over a generated population: every KPI, by every kind of dimension, with filters and a period', async () => {
    const dataDir = join(root, 'whole');
    await writePopulation({ dir: join(dataDir, 'tracking'), records: 20_000, files: 3, seed: 7 });
    for (const query of QUERIES) {
      const { store, inPlace } = await both(dataDir, query);
      expect(store.groups.length).toBeGreaterThan(0);
      expectSame(store, inPlace);
    }
    // The second report finds nothing new to ingest and answers from the same rollup.
    const again = await runKpiReport(dataDir, {}, { definitions });
    expect(again.sources.store).toMatchObject({ newRecords: 0, bytes: 0, rebuilt: false });
  }, 300_000);

  it('ingested in parts: torn last line, a log appearing later, a repeated record, a referral owned late', async () => {
    const source = join(root, 'source');
    await writePopulation({ dir: join(source, 'tracking'), records: 12_000, files: 2, seed: 11 });
    const dataDir = join(root, 'parts');
    const logs = join(dataDir, 'tracking');
    const names = (await readdir(join(source, 'tracking'))).sort();
    const texts = await Promise.all(names.map((n) => readFile(join(source, 'tracking', n), 'utf8')));
    const cut = (text: string, share: number) => text.lastIndexOf('\n', Math.floor(text.length * share)) + 1;

    // 1. The first 40 % of the first log, and a backend's lead.qualified for a referral nobody has submitted yet.
    const early = JSON.stringify({
      key: 'event:lead-early',
      at: '2026-02-01T10:00:00.000Z',
      customerId: 'acct-late',
      stage: 'track',
      type: 'lead.qualified',
      data: { referralId: 'ref-late', level: 'sql' },
    });
    await mkdir(logs, { recursive: true });
    await writeFile(join(logs, names[0]), `${texts[0].slice(0, cut(texts[0], 0.4))}${early}\n`);
    let r = await both(dataDir);
    expectSame(r.store, r.inPlace);
    expect(r.store.sources.store).toMatchObject({ seq: 1, rebuilt: false });

    // 2. More of it, ending in a torn line (a writer mid-append): the torn line waits, everything before counts.
    const upTo = cut(texts[0], 0.8);
    const torn = texts[0].slice(upTo, texts[0].indexOf('\n', upTo) + 1);
    await appendFile(join(logs, names[0]), texts[0].slice(cut(texts[0], 0.4), upTo) + torn.slice(0, 25));
    r = await both(dataDir);
    expectSame(r.store, r.inPlace);
    const before = r.store.sources.records;

    // 3. The torn line completed, the rest of the first log, the second log appearing, a line of the first log
    //    appended again to the second (a retried append), and the late referral's submission.
    await appendFile(join(logs, names[0]), torn.slice(25) + texts[0].slice(upTo + torn.length));
    const repeated = texts[0].slice(0, texts[0].indexOf('\n') + 1);
    const submission = JSON.stringify({
      key: 'journey:nps-promoter-referral:late:abc:1:referral.submitted:1',
      at: '2026-01-25T10:00:00.000Z',
      journeyId: 'nps-promoter-referral',
      journeyVersion: 3,
      customerId: 'late-advocate',
      stage: 'activate',
      motion: 'referral',
      type: 'referral.submitted',
      data: { referralId: 'ref-late' },
    });
    await writeFile(join(logs, names[1]), `${texts[1]}${repeated}${submission}\n`);
    r = await both(dataDir);
    expectSame(r.store, r.inPlace);
    expect(r.store.sources.records).toBeGreaterThan(before);
    expect(r.store.sources.store).toMatchObject({ seq: 3, rebuilt: false });
    // The early lead.qualified now belongs to the late advocate's journey, as it does read in place.
    const byJourney = await both(dataDir, { by: ['journey'], kpis: ['referral-generated-sql-rate'] });
    expectSame(byJourney.store, byJourney.inPlace);

    // 4. The same as a store built in one go.
    await rm(join(dataDir, 'kpi-store'), { recursive: true, force: true });
    const fresh = await runKpiReport(dataDir, {}, { definitions });
    expect(fresh.sources.store).toMatchObject({ seq: 1 });
    expectSame(r.store, fresh);
  }, 300_000);

  it('a log cut back or replaced: the store is rebuilt from the logs', async () => {
    const dataDir = join(root, 'cut');
    await writePopulation({ dir: join(dataDir, 'tracking'), records: 4_000, files: 2, seed: 3 });
    await runKpiReport(dataDir, {}, { definitions });
    const file = join(dataDir, 'tracking', (await readdir(join(dataDir, 'tracking'))).sort()[0]);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.lastIndexOf('\n', text.length / 2) + 1));
    const r = await both(dataDir);
    expect(r.store.sources.store).toMatchObject({ rebuilt: true });
    expectSame(r.store, r.inPlace);
  }, 120_000);

  it('reports asked at the same time in one process wait for each other and agree', async () => {
    const dataDir = join(root, 'whole');
    const [a, b, c] = await Promise.all([
      runKpiReport(dataDir, {}, { definitions }),
      runKpiReport(dataDir, { by: ['segment'] }, { definitions }),
      runKpiReport(dataDir, {}, { definitions }),
    ]);
    expect(a.groups).toEqual(c.groups);
    expect(b.sources.records).toBe(a.sources.records);
  }, 120_000);
});
