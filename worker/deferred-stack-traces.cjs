// The workflow threads' per-promise stack traces, kept as the V8 call sites and formatted only when a
// `__stack_trace` / `__enhanced_stack_trace` query asks (the Temporal UI's "Stack Trace" tab).
//
// The SDK's own hook (GlobalHandlers.setPromiseHook in @temporalio/worker/lib/workflow/vm-shared.js) does for every
// promise workflow code creates: compile two functions in the promise's realm (`new Function(...)`, to find the run
// and the realm's Error), build an Error, format each of its frames through the bundle's source map, run three
// regular expressions over the text, and keep the text and a structured copy. Only a query reads them, and most
// promises settle before any query; a fresh run's first task creates about 150. This hook answers the same queries
// with the same text, byte for byte (test/workflow-stack-traces.test.ts compares the two on the same runs):
// - the realm's two lookups are compiled once per realm (a realm's Function, in a WeakMap), not per promise;
// - the Error's frames are kept as V8's call sites; the text and the structured copy are built on first read;
// - the source map is asked once per position of the bundle (a position's answer never changes);
// - the one thing the SDK decides from the text at once, whether the promise is an internal one of `Promise.all`,
//   `race`, `allSettled` or `any` (linked to the aggregate's own stack), is decided from the first frames only,
//   formatted exactly as the SDK formats them, until the answer is known (usually after one frame).
//
// worker/workflow-thread.cjs installs it in the SDK's threads in place of the SDK's hook; `JOURNEY_WORKER_STACK_TRACES`
// says which one runs (worker/workflow-stack-traces.ts).
'use strict';
const v8 = require('node:v8');

/** The SDK's aggregate checks (vm-shared.js), line by line: the first for `Promise.then` under an aggregate,
 *  the second for the aggregate itself. */
const THEN_LINE = /^\s+at\sPromise\.then \(<anonymous>\)$/;
const AGGREGATE_LINE = /^\s+at (Function|Promise)\.(race|all|allSettled|any) \(<anonymous>\)$/;
/** The frame Node's promise-hook dispatcher adds under the hook's own frame, which the SDK cuts with it. */
const INIT_ALL_LINE = /^\s*at initAll \(node:internal\/promise_hooks:\d+:\d+\)$/;
const HOOK_FRAMES = /^Error\n\s*at [^\n]+\n(\s*at initAll \(node:internal\/promise_hooks:\d+:\d+\)\n)?/;

const rawCallSites = (_error, callSites) => callSites;

/** The SDK's formatCallsiteName (vm-shared.js). */
function callSiteName(callSite) {
  const typeName = callSite.getTypeName();
  const methodName = callSite.getMethodName();
  const functionName = callSite.getFunctionName();
  const isConstructor = callSite.isConstructor();
  return typeName && methodName ? `${typeName}.${methodName}` : isConstructor && functionName ? `new ${functionName}` : functionName;
}

/** The SDK's cutoffStructuredStackTrace (vm-shared.js), which it does not export. */
function cutoffStructured(stackTrace) {
  stackTrace.shift();
  if (stackTrace[0]?.function_name === 'initAll' && stackTrace[0].file_path === 'node:internal/promise_hooks') stackTrace.shift();
  const idx = stackTrace.findIndex(
    ({ function_name, file_path }) =>
      function_name &&
      file_path &&
      ((/^Activator\.\S+NextHandler$/.test(function_name) && /.*[\\/]workflow[\\/](?:src|lib)[\\/]internals\.[jt]s$/.test(file_path)) ||
        (/Script\.runInContext/.test(function_name) && /^node:vm|vm\.js$/.test(file_path))),
  );
  if (idx > -1) stackTrace.splice(idx);
}

/**
 * Replaces `handlers.setPromiseHook` (the SDK's GlobalHandlers of a thread) with the deferred hook, given the
 * `@temporalio/common` the SDK's hook uses. Returns false, changing nothing, when the SDK's pieces are not the shape
 * this file was written against (an SDK upgrade): the SDK's own hook then stays, with the same answers.
 */
function installDeferredStackTraces(handlers, common) {
  const fits =
    handlers &&
    typeof handlers.setPromiseHook === 'function' &&
    typeof handlers.stopPromiseHook === 'function' &&
    handlers.bundleFilenameToSourceMapConsumer instanceof Map &&
    typeof common?.cutoffStackTrace === 'function';
  if (!fits) return false;
  handlers.setPromiseHook = deferredPromiseHook(handlers, common.cutoffStackTrace);
  return true;
}

/**
 * The deferred hook's `setPromiseHook` for `handlers` (the SDK's GlobalHandlers: its source maps, `stopPromiseHook`
 * and `promiseHookInstalled`), to be called as `handlers`'s method. `cutoffStackTrace` is @temporalio/common's, the
 * one the SDK's hook applies.
 */
function deferredPromiseHook(handlers, cutoffStackTrace) {
  /** The source map's answer for each position of a bundle that a stack has held: as many as the bundle has call
   *  positions, each looked up once. */
  const positionsOf = new WeakMap();
  function originalPosition(consumer, line, column) {
    let positions = positionsOf.get(consumer);
    if (!positions) positionsOf.set(consumer, (positions = new Map()));
    const key = line * 4194304 + column;
    let pos = positions.get(key);
    if (!pos) positions.set(key, (pos = consumer.originalPositionFor({ line, column })));
    return pos;
  }

  /** One frame as the SDK's Error.prepareStackTrace formats it: the line of the text, and the structured entry. */
  function frameOf(callSite) {
    const line = callSite.getLineNumber();
    const column = callSite.getColumnNumber();
    const filename = callSite.getFileName();
    const consumer = filename && handlers.bundleFilenameToSourceMapConsumer.get(filename);
    if (consumer && line && column) {
      const pos = originalPosition(consumer, line, column);
      const name = pos.name || callSiteName(callSite);
      return {
        text: name ? `    at ${name} (${pos.source}:${pos.line}:${pos.column})` : `    at ${pos.source}:${pos.line}:${pos.column}`,
        location: {
          file_path: pos.source ?? undefined,
          function_name: name ?? undefined,
          line: pos.line ?? undefined,
          column: pos.column ?? undefined,
          internal_code: false,
        },
      };
    }
    const name = callSiteName(callSite);
    return {
      text: `    at ${callSite}`,
      location: {
        file_path: filename ?? undefined,
        function_name: name ?? undefined,
        line: line ?? undefined,
        column: column ?? undefined,
        internal_code: false,
      },
    };
  }

  /** A promise's stack as the SDK keeps it ({ formatted, structured }), built from its call sites on first read. */
  class DeferredStack {
    #callSites;
    #built;
    constructor(callSites) {
      this.#callSites = callSites;
    }
    #build() {
      if (!this.#built) {
        const frames = this.#callSites.map(frameOf);
        const structured = frames.map((f) => f.location);
        cutoffStructured(structured);
        const text = `Error\n${frames.map((f) => f.text).join('\n')}`;
        this.#built = { formatted: cutoffStackTrace(text.replace(HOOK_FRAMES, '')), structured };
        this.#callSites = undefined;
      }
      return this.#built;
    }
    get formatted() {
      return this.#build().formatted;
    }
    get structured() {
      return this.#build().structured;
    }
  }

  /**
   * Which of the SDK's two aggregate checks the promise's formatted stack would pass: 'then' (a `Promise.then` an
   * aggregate created), 'aggregate' (the aggregate's own promise) or undefined. The same lines the SDK would test,
   * built one frame at a time until the answer is known.
   */
  function aggregateKind(callSites) {
    const n = callSites.length;
    if (n < 3) {
      // Too short for the fast path's assumptions about the hook's own frames: format it all, as the SDK does.
      const formatted = new DeferredStack(callSites).formatted;
      return classify(formatted.split(/\r?\n/), true);
    }
    const second = frameOf(callSites[1]).text;
    let i = INIT_ALL_LINE.test(second) ? 2 : 1;
    const kept = [];
    for (; i < n && kept.length < 3; i++) {
      const text = i === 1 ? second : frameOf(callSites[i]).text;
      // cutoffStackTrace on two lines tells a cut-off line ('') from a dropped one ('x') and a kept one.
      const cut = cutoffStackTrace(`${text}\nx`);
      if (cut === '') break;
      if (cut === 'x') continue;
      kept.push(text);
      if (kept.length === 1 && !THEN_LINE.test(text) && !AGGREGATE_LINE.test(text)) return undefined;
      if (kept.length === 2 && !THEN_LINE.test(kept[0])) break;
    }
    return classify(kept, false);
  }

  /** The SDK's two regular expressions, on lines; `all` says the lines are the whole text. */
  function classify(lines, all) {
    if (all && lines.length === 1 && lines[0] === '') return undefined;
    if (lines.length >= 3 && THEN_LINE.test(lines[0]) && AGGREGATE_LINE.test(lines[1])) return 'then';
    if (lines.length >= 2 && AGGREGATE_LINE.test(lines[0])) return 'aggregate';
    return undefined;
  }

  return function setDeferredPromiseHook() {
    /** Per realm (keyed by its Function), its two lookups, compiled once: the run whose realm it is (the SDK's
     *  getActivator) and the realm's Error. */
    const realms = new WeakMap();
    const realmOf = (promise) => {
      const RealmFunction = promise.constructor.constructor;
      let realm = realms.get(RealmFunction);
      if (!realm) {
        realm = {
          activator: RealmFunction('return globalThis.__TEMPORAL_ACTIVATOR__'),
          Error: RealmFunction('return globalThis.Error'),
        };
        realms.set(RealmFunction, realm);
      }
      return realm;
    };
    let currentAggregation;
    try {
      this.stopPromiseHook = v8.promiseHooks.createHook({
        init: (promise, parent) => {
          const realm = realmOf(promise);
          const activator = realm.activator();
          if (!activator) return;
          const store = activator.promiseStackStore;
          promise.runId = activator.info.runId;
          const RealmError = realm.Error();
          // The Error is built here, in the hook itself, so its frames are the SDK hook's: this function first.
          const prepare = Error.prepareStackTrace;
          Error.prepareStackTrace = rawCallSites;
          let callSites;
          try {
            callSites = new RealmError().stack;
          } finally {
            Error.prepareStackTrace = prepare;
          }
          // The SDK keeps nothing when another prepareStackTrace (the realm's own) formatted the stack.
          if (!Array.isArray(callSites)) return;
          let stackTrace = new DeferredStack(callSites);
          const kind = aggregateKind(callSites);
          if (currentAggregation && kind === 'then') {
            promise = currentAggregation;
            stackTrace = store.promiseToStack.get(currentAggregation);
          } else if (kind === 'aggregate') {
            currentAggregation = promise;
          } else {
            currentAggregation = undefined;
          }
          if (promise === parent) return;
          store.promiseToStack.set(promise, stackTrace);
          const parents = store.childToParent.get(promise) ?? new Set();
          if (parent) parents.add(parent);
          store.childToParent.set(promise, parents);
        },
        settled: (promise) => {
          const store = realmOf(promise).activator()?.promiseStackStore;
          if (!store) return;
          store.childToParent.delete(promise);
          store.promiseToStack.delete(promise);
        },
      });
      this.promiseHookInstalled = true;
    } catch {
      console.warn('v8.promiseHooks.createHook is not available; stack trace collection will be disabled.');
    }
  };
}

module.exports = { installDeferredStackTraces, deferredPromiseHook };
