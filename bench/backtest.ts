// `journey backtest` at scale: a generated 90-day history (test/support/history-generator.ts) of N customers
// replayed through the real engine (cli/replay/: feeder workflows delivering through the API's ingest, the
// interpreter and the customer workflow, the real activities writing to a scratch folder) on S time-skipping
// servers, with the progress bar. Goal: 1,000 customers × 90 days in under 2 minutes.
// Baseline, same run: the same customers' event times as plain timers + one no-op activity per event
// (rawJourneyBaseline, bench/baseline-workflows.ts) on one time-skipping server: what the time-skipping machinery
// alone costs for this schedule, with no engine. Ratio printed.
//   node --import tsx bench/backtest.ts [N=1000] [DAYS=90] [SHARDS=1,2]
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { loadJourneyFile } from '../definitions/loader.ts';
import { runBacktest } from '../cli/replay/backtest.ts';
import { quietWorkerLogs } from '../cli/replay/engine.ts';
import { readEventsFile, replayShiftMs, shiftedEvents } from '../cli/replay/events-file.ts';
import { progressBar } from '../cli/replay/progress.ts';
import { testServerPath } from '../cli/replay/test-server-path.ts';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import { generateHistory, toNdjson } from '../test/support/history-generator.ts';
import type { BaselineStep } from './baseline-workflows.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [n = '1000', days = '90', shardList = '1,2'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'bench-backtest-'));
const file = join(dir, 'events.ndjson');
writeFileSync(file, toNdjson(generateHistory({ customers: Number(n), days: Number(days), startMs: Date.parse('2026-06-01T00:00:00Z') })));
const history = readEventsFile(file);
const { plan } = await loadJourneyFile('definitions/journeys/nps-promoter-referral.json');
const serverPath = testServerPath();
quietWorkerLogs();
console.log(`history: ${history.byCustomer.size} customers, ${history.events} events over ${days} days`);

/** CPU seconds of this process and of its reaped children (the test servers' JVMs), from /proc/self/stat. */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function baseline(): Promise<number> {
  // Bundled before the clock starts, as ours comes from the bundle cache (cli/replay/bundle.ts).
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
  });
  const started = Date.now();
  const env = await createTimeSkippingEnv(serverPath);
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'baseline',
      workflowBundle: { code },
      activities: { rawBaselineActivity: async (name: string) => name },
    });
    const now = await env.currentTimeMs();
    const shift = replayShiftMs(history.fromMs, now + 60_000);
    await worker.runUntil(async () => {
      const customers = [...shiftedEvents(history, shift)];
      let next = 0;
      const lane = async () => {
        while (next < customers.length) {
          const [id, events] = customers[next++];
          let t = now;
          const groups: BaselineStep[][] = events.flatMap((e) => {
            const at = Date.parse(e.occurredAt);
            const wait = at - t;
            t = at;
            return [[{ timerMs: Math.max(1, wait) }], [{ activity: 'deliver' }]];
          });
          await env.client.workflow.start('rawJourneyBaseline', { workflowId: `baseline:${id}`, taskQueue: 'baseline', args: [groups] });
        }
      };
      await Promise.all(Array.from({ length: 16 }, lane));
      await env.sleep(history.toMs + shift - now);
    });
  } finally {
    await env.teardown();
  }
  return (Date.now() - started) / 1000;
}

const rawS = process.env.BENCH_SKIP_BASELINE ? NaN : await baseline();
console.log(`raw baseline (timers + one no-op activity per event, 1 server): ${rawS.toFixed(1)} s wall`);
for (const shards of shardList.split(',').map(Number)) {
  const started = Date.now();
  const cpuBefore = cpuSeconds();
  const loadBefore = loadAverage();
  const bar = progressBar(`ours, ${shards} server${shards > 1 ? 's' : ''}`);
  const run = await runBacktest([plan!], history, { testServerPath: serverPath, shards, onProgress: (f) => bar.update(f) });
  bar.done();
  const s = (Date.now() - started) / 1000;
  const t = run.outcome.totals;
  console.log(
    `ours, ${shards} server${shards > 1 ? 's' : ''}: ${s.toFixed(1)} s wall for ${history.byCustomer.size} customers × ${days} days ` +
      `(asks ${t.asks}, suppressions ${t.suppressions}, rewards ${t.rewards}, referrals ${t.referrals}); ratio ours/raw ${(s / rawS).toFixed(2)}x; ` +
      `goal 120 s: ${s <= 120 ? 'met' : 'missed'}; CPU ${(cpuSeconds() - cpuBefore).toFixed(1)} s (node + servers); load average ${loadBefore} at start, ${loadAverage()} at end`,
  );
}
rmSync(dir, { recursive: true, force: true });
