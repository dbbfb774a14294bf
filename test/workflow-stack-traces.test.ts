// JOURNEY_WORKER_STACK_TRACES (worker/workflow-stack-traces.ts), on one time-skipping server, each worker on its own
// queue:
// - `off`: the SDK's workflow threads start without the per-promise stack-trace hook, so a run answers the
//   `__stack_trace` query (the Temporal UI's "Stack Trace" tab) with "not enabled"; with the default, the same run
//   answers with its stack. The switch reaches the threads of the worker it was asked for, and only those.
// - `on` (the default, worker/deferred-stack-traces.cjs) answers both stack-trace queries exactly as the SDK's own
//   hook (`sdk`) does: the shipped nps-promoter-referral journey, the same event to a run on each, read at the same
//   points of its wait.
import { customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import workerThreads from 'node:worker_threads';
import { createRequire } from 'node:module';
import { createJourneyWorker } from '../worker/worker.ts';
import { withWorkflowStackTraces } from '../worker/workflow-stack-traces.ts';
import { deliverToJourney, routeTargets } from '../api/routing.ts';
import { createTimeSkippingEnvWithSearchAttributes, createHarness, DAY, event, shippedPlan } from './interpreter/harness.ts';
import { createContactActivities } from '../activities/contact/reserve-contact-slot.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';

describe('workflow stack traces in the worker threads (JOURNEY_WORKER_STACK_TRACES)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const workerOn = (taskQueue: string, workflowStackTraces?: 'on' | 'sdk' | 'off') =>
    createJourneyWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activityDeps: { dataDir: '/nonexistent' },
      workflowBundle: workflowBundle(),
      ...(workflowStackTraces === undefined ? {} : { workflowStackTraces }),
    });

  /** Starts customer:<id> on the queue (a contact-slot read starts it) and asks it for its stack trace. */
  async function stackTraceOf(taskQueue: string, customerId: string): Promise<string> {
    const contact = createContactActivities({ client: env.client, taskQueue, profileDefaults: { searchAttributes: false } });
    await contact.reserveContactSlot({ customerId, journeyId: 'j', sendKey: 'k', at: new Date(await env.currentTimeMs()).toISOString() });
    return env.client.workflow
      .getHandle(customerWorkflowId(customerId))
      .query<string>('__stack_trace')
      .then(
        (trace) => `answered: ${trace}`,
        (err: Error) => `refused: ${err.message}`,
      );
  }

  it('off: the runs answer "not enabled"; by default they answer with a stack, in the same process', async () => {
    const off = await workerOn('st-off', 'off');
    const on = await workerOn('st-on');
    // The swap of the thread constructor is undone once the worker is created.
    expect(workerThreads.Worker.name).toBe('Worker');
    await off.runUntil(() =>
      on.runUntil(async () => {
        const without = await stackTraceOf('st-off', 'st-1');
        const withTraces = await stackTraceOf('st-on', 'st-2');
        expect(without).toMatch(/^refused: .*stack traces are not enabled on this worker/i);
        expect(withTraces).toMatch(/^answered: /);
        expect(withTraces).toMatch(/\bat\b.*\.ts:\d+/);
      }),
    );
  });

  it("overlapping creates each get the switch and say only for their own threads, and the SDK's thread constructor is restored after the last", async () => {
    const original = workerThreads.Worker;
    const [a, b] = await Promise.all([
      withWorkflowStackTraces('off', () =>
        Worker.create({ connection: env.nativeConnection, taskQueue: 'st-a', workflowBundle: workflowBundle() }),
      ),
      withWorkflowStackTraces('off', () =>
        Worker.create({ connection: env.nativeConnection, taskQueue: 'st-b', workflowBundle: workflowBundle() }),
      ),
    ]);
    expect([a.applied, b.applied]).toEqual([true, true]);
    expect(workerThreads.Worker).toBe(original);
    // A call that starts no thread is not applied, though another call's threads start while it runs.
    let release!: () => void;
    const idle = withWorkflowStackTraces('off', () => new Promise<string>((r) => (release = () => r('idle'))));
    const busy = await withWorkflowStackTraces('off', () =>
      Worker.create({ connection: env.nativeConnection, taskQueue: 'st-c', workflowBundle: workflowBundle() }),
    );
    release();
    expect([(await idle).applied, busy.applied]).toEqual([false, true]);
    expect(workerThreads.Worker).toBe(original);
    // Workers that are never run need no shutdown: nothing polls until run() is called.
  });

  it("the deferred hook fits this SDK's GlobalHandlers (an upgrade that changes them fails here, not silently)", async () => {
    const require = createRequire(import.meta.url);
    const { GlobalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared.js') as {
      GlobalHandlers: new () => { setPromiseHook(): void; stopPromiseHook(): void; promiseHookInstalled: boolean };
    };
    const { installDeferredStackTraces } = require('../worker/deferred-stack-traces.cjs') as {
      installDeferredStackTraces(handlers: object, common: unknown): boolean;
    };
    const handlers = new GlobalHandlers();
    expect(installDeferredStackTraces(handlers, require('@temporalio/common'))).toBe(true);
    expect(handlers.setPromiseHook).not.toBe(GlobalHandlers.prototype.setPromiseHook);
    handlers.setPromiseHook();
    expect(handlers.promiseHookInstalled).toBe(true);
    handlers.stopPromiseHook();
    // Pieces missing: nothing is replaced.
    const other = new GlobalHandlers();
    expect(installDeferredStackTraces(other, {})).toBe(false);
    expect(other.setPromiseHook).toBe(GlobalHandlers.prototype.setPromiseHook);
  });

  it("on (deferred) answers __stack_trace and __enhanced_stack_trace exactly as the SDK's own hook does, at each point of a journey's wait", async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const sdk = await createHarness(env.nativeConnection, { workflowStackTraces: 'sdk' });
    const deferred = await createHarness(env.nativeConnection, { workflowStackTraces: 'on' });
    const stamp = Date.now().toString(36);
    const start = async (h: typeof sdk, customer: string) => {
      const e = event(
        'nps.submitted',
        customer,
        { score: 10 },
        {
          traits: { email: `${customer}@example.com`, firstName: 'Sam', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' },
        },
      );
      const [target] = routeTargets(e, [plan]);
      const delivered = await deliverToJourney(env.client, h.taskQueue, target, e);
      const handle = env.client.workflow.getHandle(delivered.workflowId);
      h.handles.push(handle);
      return handle;
    };
    const traces = async (handle: ReturnType<typeof env.client.workflow.getHandle>) => ({
      text: await handle.query<string>('__stack_trace'),
      enhanced: await handle.query<{ stacks: unknown[]; sources: unknown }>('__enhanced_stack_trace'),
    });
    const seen: string[] = [];
    await sdk.run(() =>
      deferred.run(async () => {
        const a = await start(sdk, `st-sdk-${stamp}`);
        const b = await start(deferred, `st-deferred-${stamp}`);
        // Waiting for the ask (a timed condition: Promise.race inside the SDK), then after the ask, for the action.
        for (const wait of [DAY / 24, DAY, 5 * DAY]) {
          await env.sleep(wait);
          const [ofSdk, ofDeferred] = await Promise.all([traces(a), traces(b)]);
          expect(ofSdk.text).toMatch(/\bat\b.*\.ts:\d+/);
          expect(ofDeferred.text).toBe(ofSdk.text);
          expect(ofDeferred.enhanced.stacks.length).toBeGreaterThan(0);
          expect(ofDeferred.enhanced).toEqual(ofSdk.enhanced);
          seen.push(ofSdk.text);
        }
      }),
    );
    // The points read include a timed condition (the SDK's Promise.race), whose internal promises both hooks link to it.
    expect(seen.some((text) => /at condition \(.*workflow\.ts:\d+:\d+\)\n\s+at wakeUp \(.*waits\.ts/.test(text))).toBe(true);
  });
});
