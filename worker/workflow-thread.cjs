// The SDK's workflow thread (@temporalio/worker/lib/workflow/workflow-worker-thread.js) with our choices for it:
// worker/workflow-threads.ts starts this file in its place, with the SDK's file as workerData.sdkThread and the choices
// as workerData.stackTraces and workerData.deadlockTimer. Nothing a workflow does changes with either.
//
// workerData.stackTraces, its per-promise stack traces. The SDK's GlobalHandlers.install() creates a v8 promise hook in
// each workflow thread that, for every promise workflow code creates, builds an Error and maps its stack through the
// bundle's source map; it only serves the `__stack_trace` query.
// - 'deferred': worker/deferred-stack-traces.cjs's hook in its place, which keeps the frames and formats them when a
//   query asks, with the same answer.
// - 'off': setPromiseHook is a no-op, promiseHookInstalled stays false, and the SDK answers that query with
//   "Workflow stack traces are not enabled on this worker".
// - 'sdk': the SDK's own hook.
//
// workerData.deadlockTimer, its isolate execution timeout (a workflow stuck in a loop fails its task):
// - 'activation': one timer for each activation's work (worker/activation-deadlock-timer.cjs);
// - 'call': the SDK's own, one timer for each call into the sandbox.
'use strict';
const { workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { installDeferredStackTraces } = require('./deferred-stack-traces.cjs');
const { installActivationDeadlockTimer } = require('./activation-deadlock-timer.cjs');

const sdkThread = workerData && workerData.sdkThread;
const stackTraces = workerData && workerData.stackTraces;
const deadlockTimer = workerData && workerData.deadlockTimer;
if (typeof sdkThread !== 'string') throw new TypeError('workflow-thread.cjs needs workerData.sdkThread');
if (stackTraces !== 'off' && stackTraces !== 'deferred' && stackTraces !== 'sdk') {
  throw new TypeError(`workflow-thread.cjs: workerData.stackTraces is ${JSON.stringify(stackTraces)}, not "off", "deferred" or "sdk"`);
}
if (deadlockTimer !== 'activation' && deadlockTimer !== 'call') {
  throw new TypeError(`workflow-thread.cjs: workerData.deadlockTimer is ${JSON.stringify(deadlockTimer)}, not "activation" or "call"`);
}
// The same files the SDK's thread requires as './vm-shared' and './reusable-vm', so the same module instances here.
const { globalHandlers } = require(join(dirname(sdkThread), 'vm-shared.js'));
if (stackTraces !== 'sdk' && globalHandlers && typeof globalHandlers.setPromiseHook === 'function') {
  if (stackTraces === 'off') {
    globalHandlers.setPromiseHook = () => {};
  } else if (!installDeferredStackTraces(globalHandlers, createRequire(sdkThread)('@temporalio/common'))) {
    // The @temporalio/common the SDK's thread resolves gives the cut the SDK's own hook applies.
    console.warn("workflow stack traces: this SDK's internals do not fit worker/deferred-stack-traces.cjs; its own hook stays");
  }
}
if (deadlockTimer === 'activation' && !installActivationDeadlockTimer(require(join(dirname(sdkThread), 'reusable-vm.js')))) {
  console.warn("deadlock timer: this SDK's internals do not fit worker/activation-deadlock-timer.cjs; its timer per call stays");
}
require(sdkThread);
