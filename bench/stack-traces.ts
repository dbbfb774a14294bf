// Benchmark: what the workflow threads' per-promise stack traces cost a worker (JOURNEY_WORKER_STACK_TRACES,
// worker/workflow-stack-traces.ts): ours (`on`, worker/deferred-stack-traces.cjs: the frames kept, formatted when a
// query asks) against the SDK's own hook (`sdk`: every promise's stack formatted as it is created), with `off` (no
// hook) as the floor.
// Run: node --import tsx bench/stack-traces.ts [ROUNDS] [COPIES]   (defaults 5 rounds, 10 copies)
//
// Each side replays the recorded histories of the current release (test/histories/<release>/: one full cycle of each
// shipped journey and the behaviour tests' runs) COPIES times over with Worker.runReplayHistories, as a worker's
// thread runs a run it brings into its cache, with that side's hook. A replay runs its workflows on this thread (the
// SDK's debug mode), so the hooks are switched here, on the SDK's GlobalHandlers of this thread, as
// worker/workflow-thread.cjs switches them in a worker's threads. On this thread each hook also sees the replay's own
// promises (the SDK's, outside any workflow), as a worker's thread sees its message handling. The sides take turns,
// ROUNDS times, after one untimed replay each. No server: a replay reads the history it is given.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { journeyBundleOptions } from '../worker/worker.ts';
import type { WorkflowStackTraces } from '../worker/workflow-stack-traces.ts';
import { cutoffStackTrace } from '@temporalio/common';
import { createRequire } from 'node:module';
import { RELEASE } from '../workflows/release.ts';

Runtime.install({ logger: new DefaultLogger('WARN') }); // each replay worker's start and stop would drown the table

const rounds = Math.max(1, Math.min(20, Number(process.argv[2] ?? 5)));
const copies = Math.max(1, Math.min(200, Number(process.argv[3] ?? 10)));

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
const dir = join(import.meta.dirname, '..', 'test', 'histories', RELEASE);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const histories = files.map((f) => historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
const events = histories.reduce((sum, h) => sum + (h.events?.length ?? 0), 0);
const { code } = await bundleWorkflowCode(journeyBundleOptions(quiet));

const sides: { setting: WorkflowStackTraces; name: string; ms: number[] }[] = [
  { setting: 'on', name: 'ours (on): frames kept, formatted when asked', ms: [] },
  { setting: 'sdk', name: "raw (sdk): the SDK's hook, formatted at once", ms: [] },
  { setting: 'off', name: 'floor (off): no hook', ms: [] },
];

/** The SDK's GlobalHandlers of this thread, where a replay runs its workflows (the SDK's debug mode: no thread). */
interface GlobalHandlers {
  promiseHookInstalled: boolean;
  stopPromiseHook(): void;
  setPromiseHook(): void;
}
const require = createRequire(import.meta.url);
const { globalHandlers, GlobalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared.js') as {
  globalHandlers: GlobalHandlers;
  GlobalHandlers: { prototype: GlobalHandlers };
};
const { deferredPromiseHook } = require('../worker/deferred-stack-traces.cjs') as {
  deferredPromiseHook(handlers: GlobalHandlers, cutoff: (stack?: string) => string): () => void;
};
const setDeferred = deferredPromiseHook(globalHandlers, cutoffStackTrace);

/** This thread's hook as the setting makes a worker's threads run it. */
function useHook(setting: WorkflowStackTraces): void {
  globalHandlers.stopPromiseHook();
  globalHandlers.promiseHookInstalled = false;
  if (setting === 'on') setDeferred.call(globalHandlers);
  else if (setting === 'sdk') GlobalHandlers.prototype.setPromiseHook.call(globalHandlers);
  if (globalHandlers.promiseHookInstalled !== (setting !== 'off')) throw new Error(`the ${setting} hook was not installed`);
}

async function replayAll(setting: WorkflowStackTraces): Promise<number> {
  const input = function* () {
    for (let c = 0; c < copies; c++) for (const [i, history] of histories.entries()) yield { workflowId: `${files[i]}#${c}`, history };
  };
  let failed = 0;
  useHook(setting);
  const started = performance.now();
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, input())) if (result.error) failed++;
  const ms = performance.now() - started;
  if (failed) throw new Error(`${failed} histories failed to replay: run the replay test (test/interpreter-replay.test.ts)`);
  return ms;
}

// One replay of each first, untimed: the bundle's compilation and the JIT warm up. The first replay installs the SDK's
// hook on this thread (GlobalHandlers.install); each replay after that runs with the side's hook in its place.
for (const side of sides) await replayAll(side.setting);
const runs = copies * histories.length;
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...sides].reverse() : sides;
  for (const side of order) {
    const ms = await replayAll(side.setting);
    side.ms.push(ms);
    console.log(`round ${r + 1} ${side.name.padEnd(48)} ${(ms / runs).toFixed(2)} ms per run`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `\n${histories.length} recorded histories of release ${RELEASE} (${events} events) × ${copies} copies = ${runs} runs per round`,
);
console.log('side'.padEnd(50) + 'median ms/run'.padStart(14) + 'runs/s'.padStart(10));
for (const side of sides) {
  const m = median(side.ms);
  console.log(side.name.padEnd(50) + (m / runs).toFixed(2).padStart(14) + ((runs * 1000) / m).toFixed(1).padStart(10));
}
const [on, sdk, off] = sides.map((s) => median(s.ms));
console.log(
  `ratio ours/raw (on/sdk): time per run ${(on / sdk).toFixed(2)}x; hook's cost over no hook: sdk ${(sdk - off) / runs > 0 ? ((sdk - off) / runs).toFixed(2) : '0.00'} ms, on ${((on - off) / runs).toFixed(2)} ms per run`,
);
