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
// ROUNDS times, after one untimed replay each (bench/replay-rounds.ts). Each activation's work is timed too (the SDK's
// `activate` runs it all before its final await): a run's first (its first workflow task: the run created, the
// journey's start) apart from the later ones, per side.
import { bundleWorkflowCode } from '@temporalio/worker';
import { cutoffStackTrace } from '@temporalio/common';
import { createRequire } from 'node:module';
import { journeyBundleOptions } from '../worker/worker.ts';
import type { WorkflowStackTraces } from '../worker/workflow-stack-traces.ts';
import { aroundActivations, quiet, replayRounds, roundsAndCopies } from './replay-rounds.ts';

const { rounds, copies } = roundsAndCopies(5, 10);
const { code } = await bundleWorkflowCode(journeyBundleOptions(quiet));

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

/** This thread's hook as the setting makes a worker's threads run it. The first replay installs the SDK's hook on
 *  this thread (GlobalHandlers.install); each replay runs with its side's hook in its place. */
function useHook(setting: WorkflowStackTraces): void {
  globalHandlers.stopPromiseHook();
  globalHandlers.promiseHookInstalled = false;
  if (setting === 'on') setDeferred.call(globalHandlers);
  else if (setting === 'sdk') GlobalHandlers.prototype.setPromiseHook.call(globalHandlers);
  if (globalHandlers.promiseHookInstalled !== (setting !== 'off')) throw new Error(`the ${setting} hook was not installed`);
}

/** Each side's activations, ms: a run's first, and the later ones. */
const activations: Record<WorkflowStackTraces, { first: number[]; later: number[] }> = {
  on: { first: [], later: [] },
  sdk: { first: [], later: [] },
  off: { first: [], later: [] },
};
let timing = activations.on;
aroundActivations((first, activate) => {
  const started = performance.now();
  const completion = activate();
  (first ? timing.first : timing.later).push(performance.now() - started);
  return completion;
});

const side = (setting: WorkflowStackTraces, name: string) => ({
  name,
  code,
  before: () => {
    useHook(setting);
    timing = activations[setting];
  },
});
const {
  medians: [on, sdk, off],
  runs,
} = await replayRounds(
  [
    side('on', 'ours (on): frames kept, formatted when asked'),
    side('sdk', "raw (sdk): the SDK's hook, formatted at once"),
    side('off', 'floor (off): no hook'),
  ],
  rounds,
  copies,
);
console.log(
  `ratio ours/raw (on/sdk): time per run ${(on / sdk).toFixed(2)}x; hook's cost over no hook: sdk ${((sdk - off) / runs).toFixed(2)} ms, on ${((on - off) / runs).toFixed(2)} ms per run`,
);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)].toFixed(2);
for (const setting of ['on', 'sdk', 'off'] as const) {
  const { first, later } = activations[setting];
  console.log(
    `${setting}: a run's first activation p50 ${quantile(first, 0.5)} / p90 ${quantile(first, 0.9)} ms (${first.length}); ` +
      `later ones p50 ${quantile(later, 0.5)} / p90 ${quantile(later, 0.9)} ms (${later.length})`,
  );
}
