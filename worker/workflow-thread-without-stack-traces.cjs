// The SDK's workflow thread (@temporalio/worker/lib/workflow/workflow-worker-thread.js) with its per-promise stack
// traces switched off: worker/workflow-stack-traces.ts starts this file in its place, with the SDK's file as
// workerData.sdkThread. The SDK's GlobalHandlers.install() creates a v8 promise hook in each workflow thread that, for
// every promise workflow code creates, builds an Error and maps its stack through the bundle's source map; it only
// serves the `__stack_trace` query. With setPromiseHook a no-op here, promiseHookInstalled stays false and the SDK
// answers that query with "Workflow stack traces are not enabled on this worker". Nothing a workflow does changes.
'use strict';
const { workerData } = require('node:worker_threads');
const { dirname, join } = require('node:path');

const sdkThread = workerData && workerData.sdkThread;
if (typeof sdkThread !== 'string') throw new TypeError('workflow-thread-without-stack-traces.cjs needs workerData.sdkThread');
// The same file the SDK's thread requires as './vm-shared', so the same module instance in this thread.
const { globalHandlers } = require(join(dirname(sdkThread), 'vm-shared.js'));
if (globalHandlers && typeof globalHandlers.setPromiseHook === 'function') globalHandlers.setPromiseHook = () => {};
require(sdkThread);
