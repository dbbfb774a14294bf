// bench/report.ts [RECORDS] [FILES]: the KPI report over generated tracking logs (default 5,000,000 records in 4
// files, ~1.8 GB), the DuckDB engine (every shipped KPI, by journey and version) side by side with the hand-coded
// JS reader it replaced (bench/report-baseline-reader.ts: readTrackingLog + 18 KPIs), in one run, ratio printed.
// The baseline runs in a child process with a larger heap (it holds every record as an object); the logs are
// written to a temporary folder and removed at the end.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePopulation } from './report-population.ts';
import { compileKpis } from '../reports/engine/kpi-compile.ts';
import { runKpiReport } from '../reports/engine/kpi-engine.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { trackingLogFiles } from '../reports/engine/tracking-view.ts';
import { computeKpis } from './report-baseline-reader.ts';

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
const files = Number(process.argv[3] ?? 4);
const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
try {
  let t = performance.now();
  const written = await writePopulation({ dir: join(dir, 'tracking'), records, files });
  console.log(
    `generated ${written.records.toLocaleString('en-US')} records (${written.lines.toLocaleString('en-US')} lines, ${(written.bytes / 2 ** 20).toFixed(0)} MiB) in ${files} files in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const definitions = await compileKpis();
  const runs: number[] = [];
  let groups = 0;
  let counted = 0;
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const report = await runKpiReport(dir, {}, { definitions });
    runs.push(performance.now() - t);
    groups = report.groups.length;
    counted = report.sources.records;
  }
  const best = Math.min(...runs);
  console.log(
    `duckdb engine: ${definitions.length} KPIs by journey,version over ${counted.toLocaleString('en-US')} distinct records: ${runs.map((ms) => (ms / 1000).toFixed(2)).join(' / ')} s (best ${(best / 1000).toFixed(2)} s), ${groups} groups`,
  );
  const self = fileURLToPath(import.meta.url);
  let base: { ms: number; records: number; groups: number } | undefined;
  try {
    base = JSON.parse(
      execFileSync(process.execPath, ['--max-old-space-size=12288', '--import', 'tsx', self, '--baseline', dir], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    );
  } catch (err) {
    console.log(`js reader (baseline): failed: ${(err as Error).message.split('\n')[0]}`);
  }
  if (base) {
    console.log(
      `js reader (baseline): 18 KPIs over ${base.records.toLocaleString('en-US')} records: ${(base.ms / 1000).toFixed(2)} s, ${base.groups} groups`,
    );
    console.log(`ratio engine/baseline: ${(best / base.ms).toFixed(2)}x (${(base.ms / best).toFixed(1)}x faster)`);
  }
  console.log(`target: under 3 s for 5,000,000 records: ${best < 3000 ? 'met' : 'NOT met'} (${(best / 1000).toFixed(2)} s)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
