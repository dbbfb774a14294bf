// The Temporal SDK records a stack trace for every promise created while workflows run in this process: a process-wide
// `v8.promiseHooks` hook that, for each promise, compiles a function to find the promise's workflow context and builds
// an Error stack. That is what answers the `__stack_trace` / `__enhanced_stack_trace` queries (the UI's "stack trace"
// tab for a stuck run); it changes nothing a workflow does. A replay never asks for it, and with the replay's workflows
// on this thread (engine.ts) the hook runs for every promise of the process (activities, gRPC, the client) too.
// Measured at 120 customers × 90 days, one server, alternating in one process at load 6-8: node CPU 48.9 / 48.4 s with
// the hook, 39.5 / 37.7 s without (-20 %), the same outcomes (bench/README.md, backtest).
//
// The SDK has no option for it, so the replay switches it off through the worker's `globalHandlers` for as long as a
// replay runs, and back on when the last one ends. Should the SDK's internals change shape, nothing is switched off
// (the replay only runs slower) and `stopWorkflowStackTraces` says so.
import { createRequire } from 'node:module';

interface GlobalHandlers {
  promiseHookInstalled: boolean;
  stopPromiseHook(): void;
  setPromiseHook(): void;
}

function sdkGlobalHandlers(): GlobalHandlers | undefined {
  try {
    const vmShared = createRequire(import.meta.url)('@temporalio/worker/lib/workflow/vm-shared.js') as {
      globalHandlers?: Partial<GlobalHandlers>;
    };
    const handlers = vmShared.globalHandlers;
    const fits =
      handlers &&
      typeof handlers.stopPromiseHook === 'function' &&
      typeof handlers.setPromiseHook === 'function' &&
      typeof handlers.promiseHookInstalled === 'boolean';
    return fits ? (handlers as GlobalHandlers) : undefined;
  } catch {
    return undefined;
  }
}

let replaysWithoutHook = 0;
let stoppedHere = false;

/** True while this process's workflows record a stack trace per promise (the SDK's default once a worker exists). */
export function workflowStackTracesOn(): boolean {
  return sdkGlobalHandlers()?.promiseHookInstalled ?? false;
}

/**
 * Switches the SDK's per-promise stack traces off until the returned `restore` is called (restored when the last of
 * overlapping replays restores). Call it after `Worker.create` (which installs the hook). Runs created meanwhile answer
 * a stack-trace query with "not enabled on this worker". `stopped` is false when the SDK's internals did not fit.
 */
export function stopWorkflowStackTraces(): { stopped: boolean; restore(): void } {
  const handlers = sdkGlobalHandlers();
  if (!handlers) return { stopped: false, restore() {} };
  if (replaysWithoutHook++ === 0 && handlers.promiseHookInstalled) {
    handlers.stopPromiseHook();
    handlers.promiseHookInstalled = false;
    stoppedHere = true;
  }
  let restored = false;
  return {
    stopped: true,
    restore() {
      if (restored) return;
      restored = true;
      if (--replaysWithoutHook === 0 && stoppedHere) {
        stoppedHere = false;
        handlers.setPromiseHook();
      }
    },
  };
}
