// The SDK guards every call into a workflow with node's `vm` timeout (its deadlock detector: 5 s, and 49 days in
// debug mode, but armed all the same): node starts a watchdog for each call, which costs about 45 µs of CPU and
// 58 µs of wall time per call against 2-3 µs without (a bare `vm.Script`, 20,000 calls, quiet machine, 2026-12-04),
// and a workflow task makes several calls (activate, each round of conditions, conclude). A replay runs every
// customer's workflows on one thread, so that was 14-17 % of the thread in the backtest's profiles.
//
// A replay drops the per-call timer (the worker's workflow creator keeps it as a plain field; the SDK has no option
// for it) and watches its main thread instead: one small thread that stops the process with a clear line when the
// main thread has not turned for a minute, which is what a workflow stuck in a loop does. Should the SDK's internals
// change shape, nothing is dropped and the replay only runs slower (`dropPerCallDeadlockTimer` returns false).
// Production workers keep the SDK's timer: there a stuck workflow must fail its task, not stop the worker.
import { Worker as Thread } from 'node:worker_threads';

/** Drops the SDK's per-call vm timeout of this worker's workflows. Call after `Worker.create`, before it runs. */
export function dropPerCallDeadlockTimer(worker: unknown): boolean {
  const creator = (worker as { workflowCreator?: { isolateExecutionTimeoutMs?: unknown } }).workflowCreator;
  if (!creator || typeof creator.isolateExecutionTimeoutMs !== 'number') return false;
  creator.isolateExecutionTimeoutMs = undefined;
  return true;
}

// The watcher: reads the main thread's tick counter every second; when it has not moved for `limitMs`, writes the
// message to stderr and stops the process (the main thread, stuck in a loop, can run nothing, cleanup included).
const WATCHER = `
const { workerData } = require('node:worker_threads');
const ticks = new Int32Array(workerData.buffer);
let last = Atomics.load(ticks, 0);
let since = Date.now();
setInterval(() => {
  const now = Atomics.load(ticks, 0);
  if (now !== last) { last = now; since = Date.now(); return; }
  if (Date.now() - since < workerData.limitMs) return;
  require('node:fs').writeSync(2, workerData.message + '\\n');
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 5000);
}, 1000);
`;

/**
 * Stops the process, saying `message`, once its main thread has not turned for `limitMs`. Returns the stop function.
 * The main thread ticks a shared counter twice a second; neither the tick nor the watcher keeps the process alive.
 */
export function watchMainThread(limitMs: number, message: string): () => void {
  const buffer = new SharedArrayBuffer(4);
  const ticks = new Int32Array(buffer);
  const tick = setInterval(() => Atomics.add(ticks, 0, 1), 500);
  tick.unref();
  // No inherited flags: the watcher is plain CommonJS, whatever loader or input type the process runs with.
  const watcher = new Thread(WATCHER, { eval: true, execArgv: [], workerData: { buffer, limitMs, message } });
  watcher.on('error', (err) => process.stderr.write(`the replay's thread watch stopped: ${String(err)}\n`));
  watcher.unref();
  return () => {
    clearInterval(tick);
    void watcher.terminate();
  };
}
