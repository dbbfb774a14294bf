// How the worker's workflow threads run: their per-promise stack traces (JOURNEY_WORKER_STACK_TRACES,
// worker/workflow-stack-traces.ts) and their deadlock timer (JOURNEY_WORKER_DEADLOCK_TIMER, below). The SDK has no
// option for either, and its threads are its own: so while `Worker.create` runs, the SDK's thread file is started
// through workflow-thread.cjs, which makes the choices in that thread before the SDK's file runs.
//
// Should the SDK's internals change shape, the SDK's own ways stay: when the thread file moved, the threads start as
// the SDK starts them and `withWorkflowThreads` says the choices were not applied; when the pieces inside a thread
// changed, the bootstrap leaves them be and says so on the thread's console, and the tests that check each piece's fit
// (test/workflow-stack-traces.test.ts, test/activation-deadlock-timer.test.ts) fail on the SDK upgrade.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';
import type { WorkflowStackTraces } from './workflow-stack-traces.ts';

const require = createRequire(import.meta.url);
const BOOTSTRAP = fileURLToPath(new URL('./workflow-thread.cjs', import.meta.url));

/**
 * JOURNEY_WORKER_DEADLOCK_TIMER: how the workflow threads time a workflow's work (the SDK's isolate execution timeout,
 * 5 s; a workflow stuck in a loop fails its task). `activation` (the default): one timer for each activation
 * (worker/activation-deadlock-timer.cjs); `call`: the SDK's own, one for each call into the sandbox, each a thread
 * started and joined.
 */
export type DeadlockTimer = 'activation' | 'call';
export const DEADLOCK_TIMERS: readonly DeadlockTimer[] = ['activation', 'call'];

/** The setting from `variable` (JOURNEY_WORKER_DEADLOCK_TIMER): unset or empty is `activation`; anything else not
 *  listed is an error naming the variable. */
export function deadlockTimerOf(env: NodeJS.ProcessEnv, variable: string): DeadlockTimer {
  const raw = env[variable];
  if (raw === undefined || raw === '') return 'activation';
  if ((DEADLOCK_TIMERS as readonly string[]).includes(raw)) return raw as DeadlockTimer;
  throw new Error(`${variable}=${JSON.stringify(raw)} is not one of ${DEADLOCK_TIMERS.join(', ')}`);
}

/** The worker's start-up line for the setting. */
export function describeDeadlockTimer(setting: DeadlockTimer): string {
  if (setting === 'activation') return 'one per activation (JOURNEY_WORKER_DEADLOCK_TIMER)';
  return "the SDK's own, one per call into the sandbox (JOURNEY_WORKER_DEADLOCK_TIMER)";
}

/** What workflow-thread.cjs is told to do in each SDK workflow thread. */
export interface WorkflowThreadChoices {
  /** `deferred` (worker/deferred-stack-traces.cjs), `off`, or `sdk` (the SDK's own hook). */
  stackTraces: 'deferred' | 'off' | 'sdk';
  deadlockTimer: DeadlockTimer;
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
const threadsOfCall = new AsyncLocalStorage<{ started: number; choices: WorkflowThreadChoices }>();

/**
 * Runs `create` (a `Worker.create`) with the SDK's workflow threads started through workflow-thread.cjs with `choices`.
 * Threads other than the SDK's workflow threads start as asked; calls may overlap (the swap is undone when the last
 * ends). `applied` is false when the SDK's thread file was not found, or when no workflow thread was started while
 * `create` ran (the SDK's debug mode runs workflows on this thread); a thread another overlapping call started does not
 * count for this one.
 */
export async function withWorkflowThreads<T>(
  choices: WorkflowThreadChoices,
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
          super(BOOTSTRAP, { ...options, workerData: { sdkThread, ...call.choices } });
        } else {
          super(filename, options);
        }
      }
    };
  }
  const call = { started: 0, choices };
  try {
    const value = await threadsOfCall.run(call, create);
    return { value, applied: call.started > 0 };
  } finally {
    if (--swapped === 0) workerThreads.Worker = original!;
  }
}

/** The worker's settings for its workflow threads. */
export interface WorkflowThreadSettings {
  stackTraces: WorkflowStackTraces;
  deadlockTimer: DeadlockTimer;
}

/** `Worker.create`-like `create` run with the settings' workflow threads; `applied` as `withWorkflowThreads` says
 *  (always true when both are the SDK's own, which changes nothing). */
export async function createWithWorkflowThreads<T>(
  settings: WorkflowThreadSettings,
  create: () => Promise<T>,
): Promise<{ value: T; applied: boolean }> {
  const stackTraces = settings.stackTraces === 'on' ? 'deferred' : settings.stackTraces;
  if (stackTraces === 'sdk' && settings.deadlockTimer === 'call') return { value: await create(), applied: true };
  return withWorkflowThreads({ stackTraces, deadlockTimer: settings.deadlockTimer }, create);
}
