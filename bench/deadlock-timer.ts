// Benchmark: what the workflow threads' deadlock timer costs a worker (JOURNEY_WORKER_DEADLOCK_TIMER,
// worker/workflow-threads.ts): ours (`activation`, worker/activation-deadlock-timer.cjs: one vm timer around each
// activation's calls into the sandbox) against the SDK's own (`call`: one vm timer, a watchdog thread started and
// joined, for each call).
// Run: node --import tsx bench/deadlock-timer.ts [ROUNDS] [COPIES]   (defaults 5 rounds, 10 copies)
//
// Each side replays the recorded histories of the current release (test/histories/<release>/) COPIES times over with
// Worker.runReplayHistories, as a worker's thread runs a run it brings into its cache. A replay runs its workflows on
// this thread with the SDK's ReusableVMWorkflowCreator, so ours is installed on this thread's copy of it, as
// worker/workflow-thread.cjs installs it in a worker's threads, and removed for the SDK's side. Both sides run with the
// worker's default stack traces (`on`, worker/deferred-stack-traces.cjs) and the SDK's 5 s limit. The sides take turns,
// ROUNDS times, after one untimed replay each (bench/replay-rounds.ts); the calls into the sandbox and the timers armed
// are counted on the last round of each.
import { bundleWorkflowCode } from '@temporalio/worker';
import { cutoffStackTrace } from '@temporalio/common';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { journeyBundleOptions } from '../worker/worker.ts';
import { quiet, replayRounds, roundsAndCopies } from './replay-rounds.ts';

const { rounds, copies } = roundsAndCopies(5, 10);
const { code } = await bundleWorkflowCode(journeyBundleOptions(quiet));

const require = createRequire(import.meta.url);
const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared.js') as {
  globalHandlers: { promiseHookInstalled: boolean; stopPromiseHook(): void };
};
const reusableVm = require('@temporalio/worker/lib/workflow/reusable-vm.js') as unknown;
const { deferredPromiseHook } = require('../worker/deferred-stack-traces.cjs') as {
  deferredPromiseHook(handlers: unknown, cutoff: (stack?: string) => string): () => void;
};
const { installActivationDeadlockTimer } = require('../worker/activation-deadlock-timer.cjs') as {
  installActivationDeadlockTimer(module: unknown): (() => void) | undefined;
};
const setDeferred = deferredPromiseHook(globalHandlers, cutoffStackTrace);

// Timers armed, per side: a `timeout` on a call into the sandbox (the SDK's) or on the one around an activation (ours).
type Timer = 'activation' | 'call';
const counts: Record<Timer, { calls: number; timers: number; replays: number }> = {
  activation: { calls: 0, timers: 0, replays: 0 },
  call: { calls: 0, timers: 0, replays: 0 },
};
let current: Timer = 'call';
const script = vm.Script.prototype;
const [runInContext, runInThisContext] = [script.runInContext, script.runInThisContext];
script.runInContext = function (this: vm.Script, ...args: Parameters<vm.Script['runInContext']>) {
  counts[current].calls++;
  if (args[1]?.timeout) counts[current].timers++;
  return runInContext.apply(this, args);
};
script.runInThisContext = function (this: vm.Script, ...args: Parameters<vm.Script['runInThisContext']>) {
  if (args[0]?.timeout) counts[current].timers++;
  return runInThisContext.apply(this, args);
};

let uninstall: (() => void) | undefined;
/** This thread as a worker's thread runs with the setting: the default stack traces, and the side's timer. */
function useTimer(timer: Timer): void {
  globalHandlers.stopPromiseHook();
  globalHandlers.promiseHookInstalled = false;
  setDeferred.call(globalHandlers);
  if (timer === 'call') {
    uninstall?.();
    uninstall = undefined;
  } else {
    uninstall ??= installActivationDeadlockTimer(reusableVm);
    if (!uninstall) throw new Error("this SDK's reusable VM does not fit worker/activation-deadlock-timer.cjs");
  }
  current = timer;
  counts[timer].replays++;
}

const side = (timer: Timer, name: string) => ({ name, code, before: () => useTimer(timer) });
const {
  medians: [perActivation, perCall],
  runs,
} = await replayRounds(
  [side('activation', 'ours (activation): one timer per activation'), side('call', "raw (call): the SDK's, one per call")],
  rounds,
  copies,
);
uninstall?.();
for (const timer of ['activation', 'call'] as const) {
  const { calls, timers, replays } = counts[timer];
  console.log(
    `${timer}: ${(calls / replays / runs).toFixed(1)} calls into the sandbox and ${(timers / replays / runs).toFixed(1)} timers per run`,
  );
}
console.log(
  `ratio ours/raw (activation/call): time per run ${(perActivation / perCall).toFixed(2)}x; saved ${((perCall - perActivation) / runs).toFixed(2)} ms per run`,
);
