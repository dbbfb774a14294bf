// Which per-promise stack traces the worker's workflow threads keep (JOURNEY_WORKER_STACK_TRACES: on, sdk, off).
//
// The Temporal SDK installs a v8 promise hook in each of its workflow threads: for every promise workflow code
// creates it builds an Error, reads its stack through the bundle's source map and keeps it, to answer the
// `__stack_trace` / `__enhanced_stack_trace` queries (the Temporal UI's "Stack Trace" tab). It changes nothing a
// workflow does. A CPU profile of the worker under load put 22-43 % of the workflow threads' busy time in that hook
// (bench/README.md, stop 47); switched off, the workers used about a fifth less CPU per event (stop 48).
// - `on` (the default): worker/deferred-stack-traces.cjs's hook in its place: the same answers, the frames kept as
//   V8's call sites and formatted only when a query asks (bench/stack-traces.ts measures the two).
// - `sdk`: the SDK's own hook, as the SDK starts its threads.
// - `off`: no hook; the tab answers "not enabled".
// The SDK has no option for it, and its threads are its own: so while `Worker.create` runs, the SDK's thread file is
// started through workflow-thread.cjs, which replaces the hook's installation in that thread. The replay switches the
// same hook off on its own thread (cli/replay/workflow-stack-traces.ts).
//
// Should the SDK's internals change shape, the SDK's own hook stays: when the thread file moved, the threads start as
// the SDK starts them and `withWorkflowStackTraces` says the choice was not applied; when the handlers' pieces changed,
// the bootstrap leaves them be and says so on the thread's console, and test/workflow-stack-traces.test.ts fails on the
// SDK upgrade.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const BOOTSTRAP = fileURLToPath(new URL('./workflow-thread.cjs', import.meta.url));

/** JOURNEY_WORKER_STACK_TRACES: `on` (deferred formatting, the default), `sdk` (the SDK's own hook), `off`. */
export type WorkflowStackTraces = 'on' | 'sdk' | 'off';
export const WORKFLOW_STACK_TRACES: readonly WorkflowStackTraces[] = ['on', 'sdk', 'off'];

/** The setting from `variable` (JOURNEY_WORKER_STACK_TRACES): unset or empty is `on`; anything else not listed is an
 *  error naming the variable. */
export function workflowStackTracesOf(env: NodeJS.ProcessEnv, variable: string): WorkflowStackTraces {
  const raw = env[variable];
  if (raw === undefined || raw === '') return 'on';
  if ((WORKFLOW_STACK_TRACES as readonly string[]).includes(raw)) return raw as WorkflowStackTraces;
  throw new Error(`${variable}=${JSON.stringify(raw)} is not one of ${WORKFLOW_STACK_TRACES.join(', ')}`);
}

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
const threadsOfCall = new AsyncLocalStorage<{ started: number; stackTraces: 'deferred' | 'off' }>();

/**
 * Runs `create` (a `Worker.create`) with the SDK's workflow threads started with the stack traces asked for: `deferred`
 * (formatted when a query asks) or `off` (no hook). Threads other than the SDK's workflow threads start as asked; calls
 * may overlap (the swap is undone when the last ends). `applied` is false when the SDK's thread file was not found, or
 * when no workflow thread was started while `create` ran (the SDK's debug mode runs workflows on this thread); a thread
 * another overlapping call started does not count for this one.
 */
export async function withWorkflowStackTraces<T>(
  stackTraces: 'deferred' | 'off',
  create: () => Promise<T>,
): Promise<{ value: T; applied: boolean }> {
  const sdkThread = sdkThreadFile();
  if (!sdkThread) return { value: await create(), applied: false };
  if (swapped++ === 0) {
    const Original = workerThreads.Worker;
    original = Original;
    workerThreads.Worker = class WorkflowThread extends Original {
      constructor(filename: string | URL, options?: WorkerOptions) {
        const call = threadsOfCall.getStore();
        if (String(filename) === sdkThread && options?.workerData === undefined && call) {
          call.started++;
          super(BOOTSTRAP, { ...options, workerData: { sdkThread, stackTraces: call.stackTraces } });
        } else {
          super(filename, options);
        }
      }
    };
  }
  const call = { started: 0, stackTraces };
  try {
    const value = await threadsOfCall.run(call, create);
    return { value, applied: call.started > 0 };
  } finally {
    if (--swapped === 0) workerThreads.Worker = original!;
  }
}

/** `Worker.create`-like `create` run with the setting's stack traces; `applied` as `withWorkflowStackTraces` says
 *  (always true for `sdk`, which changes nothing). */
export async function createWithStackTraces<T>(
  setting: WorkflowStackTraces,
  create: () => Promise<T>,
): Promise<{ value: T; applied: boolean }> {
  if (setting === 'sdk') return { value: await create(), applied: true };
  return withWorkflowStackTraces(setting === 'on' ? 'deferred' : 'off', create);
}

/** The worker's start-up line for the setting. */
export function describeStackTraces(setting: WorkflowStackTraces): string {
  if (setting === 'on') return 'on, formatted when the Stack Trace tab asks (JOURNEY_WORKER_STACK_TRACES)';
  if (setting === 'sdk') return "on, the SDK's own hook: every promise's stack formatted as it is created (JOURNEY_WORKER_STACK_TRACES)";
  return 'off (the UI\'s "Stack Trace" tab answers "not enabled"; JOURNEY_WORKER_STACK_TRACES)';
}
