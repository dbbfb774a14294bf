// JOURNEY_WORKER_DEADLOCK_TIMER (worker/activation-deadlock-timer.cjs): the workflow threads time each activation with
// one vm timer instead of one per call into the sandbox. A workflow stuck past the limit must still fail its task with
// the SDK's own message, the thread must go on serving other runs, and the calls inside an activation must run untimed.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import { withWorkflowThreads, type DeadlockTimer } from '../worker/workflow-threads.ts';
import { workflowBundle } from './support/temporal.ts';
import { RELEASE } from '../workflows/release.ts';

const require = createRequire(import.meta.url);
const reusableVm = require('@temporalio/worker/lib/workflow/reusable-vm.js') as Record<string, unknown>;
const { installActivationDeadlockTimer } = require('../worker/activation-deadlock-timer.cjs') as {
  installActivationDeadlockTimer(module: unknown): (() => void) | undefined;
};
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

describe('the deadlock timer per activation (JOURNEY_WORKER_DEADLOCK_TIMER)', () => {
  let env: TestWorkflowEnvironment;
  let busyCode: string;
  beforeAll(async () => {
    env = await createTimeSkippingEnv(inject('testServerPath'));
    busyCode = (
      await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./support/busy-workflow.ts', import.meta.url)), logger: quiet })
    ).code;
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** On a worker whose threads run `deadlockTimer` with a 300 ms limit: a run stuck far past it, then a short one. */
  async function stuckThenShort(deadlockTimer: DeadlockTimer) {
    const taskQueue = `deadlock-${deadlockTimer}-${randomUUID()}`;
    const { value: worker, applied } = await withWorkflowThreads({ stackTraces: 'sdk', deadlockTimer }, () =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: { code: busyCode },
        // The SDK's limit, an option its types leave out (5 s by default).
        isolateExecutionTimeout: '300ms',
      } as Parameters<typeof Worker.create>[0]),
    );
    // Billions of iterations: minutes of work, never one activation's 300 ms.
    const stuck = await env.client.workflow.start('busyWorkflow', { taskQueue, workflowId: `${taskQueue}-stuck`, args: [50_000_000_000] });
    return worker.runUntil(async () => {
      let failures: string[] = [];
      for (const end = Date.now() + 60_000; failures.length === 0 && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
        const { events } = await stuck.fetchHistory();
        failures = (events ?? []).flatMap((e) =>
          e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message ?? ''] : [],
        );
      }
      // Without a timer the thread would still be in the loop: the short run below would never be taken.
      expect(failures, 'no task of the stuck run failed within a minute').not.toEqual([]);
      // The same thread goes on: a short run on the same worker completes.
      const short = await env.client.workflow.execute('busyWorkflow', { taskQueue, workflowId: `${taskQueue}-short`, args: [1000] });
      return { applied, failures, short };
    });
  }

  it("a workflow stuck past the limit fails its task with the SDK's message, and the worker goes on, with either timer", async () => {
    const perActivation = await stuckThenShort('activation');
    const perCall = await stuckThenShort('call');
    for (const outcome of [perActivation, perCall]) {
      expect(outcome.applied).toBe(true);
      expect(outcome.failures.length).toBeGreaterThan(0);
      expect(outcome.failures[0]).toContain('Script execution timed out after 300ms');
      expect(outcome.short).toBe(expectedBusy(1000));
    }
  }, 180_000);

  it("fits this SDK's reusable VM (an upgrade that changes it fails here, not silently); with pieces missing it replaces nothing", () => {
    const Creator = reusableVm.ReusableVMWorkflowCreator as { create: unknown; prototype: { createWorkflow: unknown } };
    const before = [Creator.create, Creator.prototype.createWorkflow];
    const uninstall = installActivationDeadlockTimer(reusableVm);
    expect(uninstall).toBeTypeOf('function');
    expect(Creator.create).not.toBe(before[0]);
    uninstall!();
    expect([Creator.create, Creator.prototype.createWorkflow]).toEqual(before);
    expect(installActivationDeadlockTimer({ ReusableVMWorkflowCreator: reusableVm.ReusableVMWorkflowCreator })).toBeUndefined();
    expect([Creator.create, Creator.prototype.createWorkflow]).toEqual(before);
  });

  it("replaying the release's histories: every call into the sandbox untimed, one timer per activation, the same outcome", async () => {
    // A replay runs its workflows on this thread with the SDK's ReusableVMWorkflowCreator: install here, count the
    // calls by their options.
    const dir = join(import.meta.dirname, 'histories', RELEASE);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const histories = files.map((f, i) => ({
      workflowId: `${f}#${i}`,
      history: historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8'))),
    }));
    const script = vm.Script.prototype;
    const [runInContext, runInThisContext] = [script.runInContext, script.runInThisContext];
    const count = { timedCalls: 0, untimedCalls: 0, timers: 0 };
    script.runInContext = function (this: vm.Script, ...args: Parameters<vm.Script['runInContext']>) {
      if (args[1]?.timeout) count.timedCalls++;
      else count.untimedCalls++;
      return runInContext.apply(this, args);
    };
    script.runInThisContext = function (this: vm.Script, ...args: Parameters<vm.Script['runInThisContext']>) {
      if (args[0]?.timeout) count.timers++;
      return runInThisContext.apply(this, args);
    };
    const replayAll = async () => {
      Object.assign(count, { timedCalls: 0, untimedCalls: 0, timers: 0 });
      const errors: string[] = [];
      for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) {
        if (result.error) errors.push(`${result.workflowId}: ${String(result.error)}`);
      }
      return { ...count, errors };
    };
    let uninstall: (() => void) | undefined;
    try {
      const perCall = await replayAll();
      uninstall = installActivationDeadlockTimer(reusableVm);
      const perActivation = await replayAll();
      expect(perCall.errors).toEqual([]);
      expect(perActivation.errors).toEqual([]);
      // The same calls into the sandbox either way (1,014 for release 1.1.0's 17 histories).
      expect(perActivation.timedCalls + perActivation.untimedCalls).toBe(perCall.timedCalls + perCall.untimedCalls);
      // The SDK's way: a timer for each call but a handful of the creator's set-up (1,009 of them).
      expect(perCall.timers).toBe(0);
      expect(perCall.untimedCalls).toBeLessThan(10);
      // Ours: only the creator's set-up keeps its timed calls (its scope script, its preloaded modules); each
      // activation, and each run's creation and disposal, arms one timer around its calls (324: about 3 calls each).
      expect(perActivation.timedCalls).toBeLessThanOrEqual(2);
      expect(perActivation.timers).toBeGreaterThan(histories.length);
      expect(perActivation.timers * 2).toBeLessThan(perCall.timedCalls);
    } finally {
      uninstall?.();
      script.runInContext = runInContext;
      script.runInThisContext = runInThisContext;
    }
  }, 120_000);
});

/** busyWorkflow's result for `iterations` (test/support/busy-workflow.ts). */
function expectedBusy(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + (i % 7)) % 1_000_003;
  return x;
}
