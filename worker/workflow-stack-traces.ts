// Whether the worker's workflow threads record a stack trace for every promise (JOURNEY_WORKER_STACK_TRACES).
//
// The Temporal SDK installs a v8 promise hook in each of its workflow threads: for every promise workflow code
// creates it builds an Error, reads its stack through the bundle's source map and keeps it, to answer the
// `__stack_trace` / `__enhanced_stack_trace` queries (the Temporal UI's "Stack Trace" tab). It changes nothing a
// workflow does. A CPU profile of the worker under load put 22-43 % of the workflow threads' busy time in that hook
// (bench/README.md, stop 47); switched off, the workers used about a fifth less CPU per event, on our side and on a
// raw baseline alike, and latency at a light load did not move (stop 48). The SDK has no option for it, and its
// threads are its own: so while `Worker.create` runs, the SDK's thread file is started through
// workflow-thread-without-stack-traces.cjs, which makes the hook's installation a no-op in that thread. The replay
// switches the same hook off on its own thread (cli/replay/workflow-stack-traces.ts).
//
// Should the SDK's internals change shape, stack traces stay on: when the thread file moved, the threads start as the
// SDK starts them and `withoutWorkflowStackTraces` says the switch was not applied; when the handlers were renamed,
// the bootstrap leaves them be and test/workflow-stack-traces.test.ts fails on the SDK upgrade.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const BOOTSTRAP = fileURLToPath(new URL('./workflow-thread-without-stack-traces.cjs', import.meta.url));

function sdkThreadFile(): string | undefined {
  try {
    return require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread.js');
  } catch {
    return undefined;
  }
}

let swapped = 0;
let original: typeof workerThreads.Worker | undefined;
/** The call a thread is started for: the threads a `create` starts run in its async context, so overlapping calls
 *  each count their own. */
const threadsOfCall = new AsyncLocalStorage<{ started: number }>();

/**
 * Runs `create` (a `Worker.create`) with the SDK's workflow threads started without the per-promise stack-trace hook.
 * Threads other than the SDK's workflow threads start as asked; calls may overlap (the swap is undone when the last
 * ends). `applied` is false when the SDK's thread file was not found, or when no workflow thread was started while
 * `create` ran (the SDK's debug mode runs workflows on this thread); a thread another overlapping call started does
 * not count for this one.
 */
export async function withoutWorkflowStackTraces<T>(create: () => Promise<T>): Promise<{ value: T; applied: boolean }> {
  const sdkThread = sdkThreadFile();
  if (!sdkThread) return { value: await create(), applied: false };
  if (swapped++ === 0) {
    const Original = workerThreads.Worker;
    original = Original;
    workerThreads.Worker = class WorkflowThread extends Original {
      constructor(filename: string | URL, options?: WorkerOptions) {
        if (String(filename) === sdkThread && options?.workerData === undefined) {
          const call = threadsOfCall.getStore();
          if (call) call.started++;
          super(BOOTSTRAP, { ...options, workerData: { sdkThread } });
        } else {
          super(filename, options);
        }
      }
    };
  }
  const call = { started: 0 };
  try {
    const value = await threadsOfCall.run(call, create);
    return { value, applied: call.started > 0 };
  } finally {
    if (--swapped === 0) workerThreads.Worker = original!;
  }
}
