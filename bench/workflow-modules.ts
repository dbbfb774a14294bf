// Benchmark: what a journey worker pays to bring a run into its cache, with the workflow modules shared by every run
// (worker/worker.ts preloads them) against the SDK's default (every run loads the whole module tree again).
// Run: node --import tsx bench/workflow-modules.ts [ROUNDS] [COPIES]   (defaults 3 rounds, 10 copies)
//
// Each side replays the recorded histories of the current release (test/histories/<release>/, one full cycle of each
// shipped journey and the behaviour tests' runs) COPIES times over, with Worker.runReplayHistories: every history is
// a run the worker creates, as it does for a new run or for one evicted from its cache whose next task comes. Both
// sides bundle the same code with the same options but `preloadModules`, and take turns, ROUNDS times. No server:
// a replay reads the history it is given.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { journeyBundleOptions } from '../worker/worker.ts';
import { RELEASE } from '../workflows/release.ts';

Runtime.install({ logger: new DefaultLogger('WARN') }); // each replay worker's start and stop would drown the table

const rounds = Math.max(1, Math.min(20, Number(process.argv[2] ?? 3)));
const copies = Math.max(1, Math.min(200, Number(process.argv[3] ?? 10)));

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
const dir = join(import.meta.dirname, '..', 'test', 'histories', RELEASE);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const histories = files.map((f) => historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
const events = histories.reduce((sum, h) => sum + (h.events?.length ?? 0), 0);

const sides = [
  { name: 'ours: workflow modules preloaded, shared by every run', options: journeyBundleOptions(quiet) },
  { name: "raw: the SDK's default, modules loaded for each run", options: { ...journeyBundleOptions(quiet), preloadModules: [] } },
];
const bundles = [];
for (const side of sides) bundles.push({ ...side, code: (await bundleWorkflowCode(side.options)).code, ms: [] as number[] });

async function replayAll(code: string): Promise<number> {
  const input = function* () {
    for (let c = 0; c < copies; c++) for (const [i, history] of histories.entries()) yield { workflowId: `${files[i]}#${c}`, history };
  };
  const started = performance.now();
  let failed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, input())) if (result.error) failed++;
  if (failed) throw new Error(`${failed} histories failed to replay: run the replay test (test/interpreter-replay.test.ts)`);
  return performance.now() - started;
}

// One replay of each first, untimed: the worker thread, the bundle's compilation and the JIT warm up.
for (const b of bundles) await replayAll(b.code);
for (let r = 0; r < rounds; r++)
  for (const b of r % 2 ? [...bundles].reverse() : bundles) {
    const ms = await replayAll(b.code);
    b.ms.push(ms);
    console.log(`round ${r + 1} ${b.name.padEnd(56)} ${(ms / (copies * histories.length)).toFixed(2)} ms per run`);
  }

const runs = copies * histories.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `\n${histories.length} recorded histories of release ${RELEASE} (${events} events) × ${copies} copies = ${runs} runs per round`,
);
console.log('side'.padEnd(58) + 'median ms/run'.padStart(14) + 'runs/s'.padStart(10));
for (const b of bundles) {
  const m = median(b.ms);
  console.log(b.name.padEnd(58) + (m / runs).toFixed(2).padStart(14) + ((runs * 1000) / m).toFixed(1).padStart(10));
}
const [ours, raw] = bundles.map((b) => median(b.ms));
console.log(`ratio ours/raw: time per run ${(ours / raw).toFixed(2)}x`);
