// One deadlock timer per activation instead of one per call into the workflow sandbox.
//
// The SDK guards every call its workflow threads make into the sandbox (`vm` context) with node's `vm` timeout, the
// isolate execution timeout (5 s): a workflow stuck in a loop is stopped there, and its task fails with "Script
// execution timed out after 5000ms". For each call node starts a watchdog thread and joins it when the call returns:
// about 50-90 µs of wall time against 2-4 µs without, and on a loaded machine a join that waits for the watchdog to be
// scheduled (p99 0.5 ms, p99.9 4 ms per call; bench/README.md, stop 52). A workflow task makes several calls:
// `activate`, then one per round of unblocked conditions (the interpreter's bookkeeping waits a few rounds for the
// activation to settle: workflows/journey/settle.ts), then `concludeActivation`.
//
// Here the calls inside one activation run untimed, and the activation as a whole runs under one timer of the same
// length: a script run in this thread's own context with that timeout calls the SDK's `activate`, and the sandbox's
// microtasks still run at the end of each call inside it (its `microtaskMode: 'afterEvaluate'` queue is its own).
// A workflow stuck in a loop is stopped by that timer: the termination passes through the SDK's code (nothing can
// catch it) to the outer script, which throws node's ERR_SCRIPT_EXECUTION_TIMEOUT; `activate` then answers as the
// SDK's own `catch` answers an error from one of its calls: the activation failed with that error (its task fails and
// is retried), or, for queries, a rejection. Creating a workflow (its module loaded into the sandbox) and disposing of
// one are each guarded the same way. The limit is the same 5 s, now for the activation's work in all its calls.
//
// `installActivationDeadlockTimer(reusableVm)` patches the SDK's ReusableVMWorkflowCreator (the worker's default
// `reuseV8Context`) in this thread and returns false, replacing nothing, when the SDK's pieces do not fit; the
// per-call timers then stay.
'use strict';
const vm = require('node:vm');

const GUARDED = Symbol.for('journey-engine.activation-deadlock-timer');
const guardScript = new vm.Script(`globalThis[Symbol.for('journey-engine.activation-deadlock-timer')]()`, {
  filename: 'journey-engine/activation-deadlock-timer',
});

let depth = 0;
/** Runs `fn` under one `vm` timer of `timeoutMs` (none when not a positive number); a call made while one runs is
 *  covered by it. Throws node's ERR_SCRIPT_EXECUTION_TIMEOUT when the timer fires. */
function underDeadlockTimer(timeoutMs, fn) {
  if (depth > 0 || !(timeoutMs > 0)) return fn();
  const previous = globalThis[GUARDED];
  globalThis[GUARDED] = fn;
  depth++;
  try {
    return guardScript.runInThisContext({ timeout: timeoutMs, displayErrors: false });
  } finally {
    depth--;
    globalThis[GUARDED] = previous;
  }
}

/** The limit each creator and workflow runs under. */
const limits = new WeakMap();

function fits(reusableVm) {
  const Creator = reusableVm && reusableVm.ReusableVMWorkflowCreator;
  const Workflow = reusableVm && reusableVm.ReusableVMWorkflow;
  return (
    typeof Creator === 'function' &&
    typeof Workflow === 'function' &&
    typeof Creator.create === 'function' &&
    typeof Creator.prototype.createWorkflow === 'function' &&
    typeof Workflow.prototype.activate === 'function' &&
    typeof Workflow.prototype.dispose === 'function'
  );
}

/**
 * Installs the timer per activation on the SDK's reusable-VM classes (`@temporalio/worker/lib/workflow/reusable-vm.js`
 * of this thread). Returns an `uninstall` function, or undefined (nothing replaced) when they do not fit.
 */
function installActivationDeadlockTimer(reusableVm) {
  if (!fits(reusableVm)) return undefined;
  const Creator = reusableVm.ReusableVMWorkflowCreator;
  const Workflow = reusableVm.ReusableVMWorkflow;
  const own = {
    create: Object.getOwnPropertyDescriptor(Creator, 'create'),
    createWorkflow: Object.getOwnPropertyDescriptor(Creator.prototype, 'createWorkflow'),
    activate: Object.getOwnPropertyDescriptor(Workflow.prototype, 'activate'),
    dispose: Object.getOwnPropertyDescriptor(Workflow.prototype, 'dispose'),
  };
  const create = Creator.create;
  const createWorkflow = Creator.prototype.createWorkflow;
  const activate = Workflow.prototype.activate;
  const dispose = Workflow.prototype.dispose;

  Creator.create = async function createWithOneTimerPerActivation(...args) {
    const creator = await create.apply(this, args);
    // The creator reads this field each time it makes a workflow's entry into the sandbox (createWorkflow); the
    // creator's own set-up calls above ran with it.
    if (typeof creator.isolateExecutionTimeoutMs === 'number') {
      limits.set(creator, creator.isolateExecutionTimeoutMs);
      creator.isolateExecutionTimeoutMs = undefined;
    }
    return creator;
  };
  Creator.prototype.createWorkflow = async function createWorkflowUnderOneTimer(options) {
    const limit = limits.get(this);
    const workflow = await underDeadlockTimer(limit, () => createWorkflow.call(this, options));
    if (limit !== undefined && workflow && typeof workflow === 'object') limits.set(workflow, limit);
    return workflow;
  };
  Workflow.prototype.activate = function activateUnderOneTimer(activation) {
    try {
      // The SDK's activate is synchronous up to its completion's final `await`: all of its calls run in here.
      return underDeadlockTimer(limits.get(this), () => activate.call(this, activation));
    } catch (err) {
      // The SDK's activate catches an error from its calls into the sandbox and answers with the failure; its
      // queries' path lets it reject. The timer's termination reached neither, so answer as they would have.
      const jobs = (activation && activation.jobs) || [];
      if (jobs.some((job) => job.queryWorkflow != null)) return Promise.reject(err);
      return Promise.resolve({ runId: this.activator.info.runId, failed: { failure: this.activator.errorToFailure(err) } });
    }
  };
  Workflow.prototype.dispose = async function disposeUnderOneTimer() {
    return underDeadlockTimer(limits.get(this), () => dispose.call(this));
  };

  return function uninstall() {
    for (const [name, target] of [
      ['create', Creator],
      ['createWorkflow', Creator.prototype],
      ['activate', Workflow.prototype],
      ['dispose', Workflow.prototype],
    ]) {
      if (own[name]) Object.defineProperty(target, name, own[name]);
      else delete target[name];
    }
  };
}

module.exports = { installActivationDeadlockTimer, underDeadlockTimer };
