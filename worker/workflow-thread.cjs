// The SDK's workflow thread (@temporalio/worker/lib/workflow/workflow-worker-thread.js) with our choice of its
// per-promise stack traces: worker/workflow-stack-traces.ts starts this file in its place, with the SDK's file as
// workerData.sdkThread and the choice as workerData.stackTraces. The SDK's GlobalHandlers.install() creates a v8
// promise hook in each workflow thread that, for every promise workflow code creates, builds an Error and maps its
// stack through the bundle's source map; it only serves the `__stack_trace` query.
// - 'deferred': worker/deferred-stack-traces.cjs's hook in its place, which keeps the frames and formats them when a
//   query asks, with the same answer.
// - 'off': setPromiseHook is a no-op, promiseHookInstalled stays false, and the SDK answers that query with
//   "Workflow stack traces are not enabled on this worker".
// Nothing a workflow does changes either way.
'use strict';
const { workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { installDeferredStackTraces } = require('./deferred-stack-traces.cjs');

const sdkThread = workerData && workerData.sdkThread;
const stackTraces = workerData && workerData.stackTraces;
if (typeof sdkThread !== 'string') throw new TypeError('workflow-thread.cjs needs workerData.sdkThread');
if (stackTraces !== 'off' && stackTraces !== 'deferred') {
  throw new TypeError(`workflow-thread.cjs: workerData.stackTraces is ${JSON.stringify(stackTraces)}, not "off" or "deferred"`);
}
// The same file the SDK's thread requires as './vm-shared', so the same module instance in this thread.
const { globalHandlers } = require(join(dirname(sdkThread), 'vm-shared.js'));
if (globalHandlers && typeof globalHandlers.setPromiseHook === 'function') {
  if (stackTraces === 'off') {
    globalHandlers.setPromiseHook = () => {};
  } else if (!installDeferredStackTraces(globalHandlers, createRequire(sdkThread)('@temporalio/common'))) {
    // The @temporalio/common the SDK's thread resolves gives the cut the SDK's own hook applies.
    console.warn("workflow stack traces: this SDK's internals do not fit worker/deferred-stack-traces.cjs; its own hook stays");
  }
}
require(sdkThread);
