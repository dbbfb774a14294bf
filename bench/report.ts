// bench/report.ts [RECORDS] [TAIL]: the KPI report over generated tracking logs (default 5,000,000 records in 4
// files, ~1.8 GB), next to the hand-coded JS reader it replaced (bench/report-baseline-reader.ts: readTrackingLog +
// 18 KPIs), in one run, ratio printed. Our side is the report a marketer runs: every shipped KPI by journey and
// version, through the KPI store (reports/engine/tracking-store.ts):
//   cold: the first report, which ingests every log into the store and builds its rollup;
//   warm: the same report again with nothing new, then after each of 3 tails of TAIL new records (default
//         10,000, appended to the 4 logs and to a 5th log that appears) written while the logs live; then 2
//         tails of TAIL records of advocates already stored (returning: the path that still reads the bulk batch).
// BENCH_REPORT_IN_PLACE=1 also times the engine reading the logs in place (no store; minutes at 5 M records).
// BENCH_REPORT_KEEP=DIR keeps the generated logs, the cold store and the baseline's figure in DIR (bench/report-kept.ts)
// and, on a later run with the same sizes, starts from them: only the warm reports and the tails are run again.
// The baseline runs in a child process with a larger heap (it holds every record as an object). Sizes are bounded:
// the logs (~370 bytes a record) and the store (~40 % of that) go to a temporary folder, removed at the end;
// DuckDB keeps to its memory limit (reports/engine/tracking-store.ts) and the JS reader to a 12 GiB heap.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendReturningCustomers, writePopulation } from './report-population.ts';
import { compileKpis } from '../reports/engine/kpi-compile.ts';
import { runKpiReport, type KpiReport } from '../reports/engine/kpi-engine.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { trackingLogFiles } from '../reports/engine/tracking-view.ts';
import { STORE_FILE } from '../reports/engine/tracking-store.ts';
import { computeKpis } from './report-baseline-reader.ts';
import { keptDataDir, resetKept, restoreKept, saveKept } from './report-kept.ts';

async function baseline(dataDir: string) {
  const start = performance.now();
  const records = [];
  for (const file of await trackingLogFiles(dataDir)) for (const r of (await readTrackingLog(file)).records) records.push(r);
  const kpis = computeKpis(records);
  return { ms: performance.now() - start, records: records.length, groups: kpis.length };
}

if (process.argv[2] === '--baseline') {
  process.stdout.write(JSON.stringify(await baseline(process.argv[3])));
  process.exit(0);
}

const records = Number(process.argv[2] ?? process.env.BENCH_REPORT_N ?? 5_000_000);
const tail = Number(process.argv[3] ?? process.env.BENCH_REPORT_TAIL ?? 10_000);
const FILES = 4;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const count = (n: number) => n.toLocaleString('en-US');

/** Wall and CPU time (DuckDB's threads run in this process, so CPU time counts all of them). */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

const keep = process.env.BENCH_REPORT_KEEP;
function reportLine(label: string, r: { value: KpiReport; ms: number; cpuMs: number }): string {
  const s = r.value.sources.store;
  return `${label.padEnd(34)} ${seconds(r.ms).padStart(9)}  cpu ${seconds(r.cpuMs).padStart(9)}  ${count(r.value.sources.records)} records, ${r.value.groups.length} groups; ingested ${count(s?.newRecords ?? 0)} new records (${((s?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB), ${count(s?.advocates ?? 0)} advocates recomputed`;
}

const dir = keep ? keptDataDir(keep) : await mkdtemp(join(tmpdir(), 'bench-report-'));
try {
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const definitions = await compileKpis();
  const kept = keep ? await restoreKept(keep, records) : undefined;
  let base: { ms: number; records: number; groups: number } | undefined;
  let coldMs: number;
  if (kept) {
    console.log(`kept folder ${keep} (made ${kept.madeAt}): logs and cold store restored; its figures then:`);
    for (const l of kept.lines) console.log(`  ${l}`);
    base = kept.baseline;
    coldMs = kept.coldMs;
  } else {
    if (keep) await resetKept(keep);
    const printed: string[] = [];
    const say = (l: string) => (console.log(l), printed.push(l));
    const gen = await timed(() => writePopulation({ dir: join(dir, 'tracking'), records, files: FILES }));
    say(
      `generated ${count(gen.value.records)} records (${count(gen.value.lines)} lines, ${(gen.value.bytes / 2 ** 20).toFixed(0)} MiB) in ${FILES} files in ${seconds(gen.ms)}`,
    );
    // The baseline first, over the same logs the cold report reads.
    const self = fileURLToPath(import.meta.url);
    try {
      base = JSON.parse(
        execFileSync(process.execPath, ['--max-old-space-size=12288', '--import', 'tsx', self, '--baseline', dir], {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        }),
      );
      say(`js reader (baseline): 18 KPIs over ${count(base!.records)} records: ${seconds(base!.ms)}, ${base!.groups} groups`);
    } catch (err) {
      say(`js reader (baseline): failed: ${(err as Error).message.split('\n')[0]}`);
    }
    if (process.env.BENCH_REPORT_IN_PLACE === '1') {
      const inPlace = await timed(() => runKpiReport(dir, {}, { definitions, store: false }));
      say(`duckdb, logs read in place (no store): ${seconds(inPlace.ms)} (cpu ${seconds(inPlace.cpuMs)})`);
    }
    const cold = await timed(() => runKpiReport(dir, {}, { definitions }));
    say(reportLine('cold (first ingest + rollup)', cold));
    coldMs = cold.ms;
    if (keep) await saveKept(keep, { records, madeAt: new Date().toISOString(), lines: printed, baseline: base, coldMs });
  }
  console.log(`store: ${definitions.length} KPIs by journey,version`);
  const warm: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const r = await timed(() => runKpiReport(dir, {}, { definitions }));
    console.log(reportLine(`warm, nothing new (${i})`, r));
    warm.push(r.ms);
  }
  const withTail: number[] = [];
  for (let i = 1; i <= 3; i++) {
    await writePopulation({
      dir: join(dir, 'tracking'),
      records: tail,
      files: FILES + 1,
      append: true,
      customerPrefix: `tail${i}-`,
      seed: i,
    });
    const r = await timed(() => runKpiReport(dir, {}, { definitions }));
    console.log(reportLine(`warm, after a tail of ${count(tail)} (${i})`, r));
    withTail.push(r.ms);
  }
  // The same size of tail from advocates the store already holds (first seen in the bulk batch): the path that still
  // reads the bulk batch's rows (reports/engine/tracking-store.ts), printed beside the target, not in it.
  const returning: number[] = [];
  for (let i = 1; i <= 2; i++) {
    const w = await appendReturningCustomers({
      dir: join(dir, 'tracking'),
      file: `worker-${FILES + 1}.ndjson`,
      records: tail,
      among: Math.max(1, Math.floor(records / 10)),
      tag: `returning${i}`,
      seed: 100 + i,
    });
    const r = await timed(() => runKpiReport(dir, {}, { definitions }));
    console.log(reportLine(`warm, ${count(tail)} from ${count(w.customers)} returning (${i})`, r));
    returning.push(r.ms);
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`store on disk: ${((await stat(join(dir, STORE_FILE))).size / 2 ** 20).toFixed(0)} MiB`);
  const repeated = Math.max(...withTail);
  if (base) {
    console.log(
      `ratio warm report (worst with a tail) / js reader: ${(repeated / base.ms).toFixed(3)}x (${(base.ms / repeated).toFixed(0)}x faster)`,
    );
    console.log(`ratio cold report / js reader: ${(coldMs / base.ms).toFixed(2)}x`);
  }
  console.log(
    `target: the repeated report under 3 s for ${count(records)} records: ${repeated < 3000 ? 'met' : 'NOT met'} (worst warm with a tail ${seconds(repeated)}, best nothing new ${seconds(Math.min(...warm))}); a tail from returning advocates: worst ${seconds(Math.max(...returning))}`,
  );
} finally {
  if (!keep) await rm(dir, { recursive: true, force: true });
}
