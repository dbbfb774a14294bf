// JOURNEY_WORKER_STACK_TRACES=off (worker/workflow-stack-traces.ts): the SDK's workflow threads start without the
// per-promise stack-trace hook, so a run answers the `__stack_trace` query (the Temporal UI's "Stack Trace" tab)
// with "not enabled"; with the default, the same run answers with its stack. Both workers run on one time-skipping
// server, each on its own queue, and a customer:<id> run waits on each: the switch reaches the threads of the worker
// it was asked for, and only those.
import { customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import workerThreads from 'node:worker_threads';
import { createJourneyWorker } from '../worker/worker.ts';
import { withoutWorkflowStackTraces } from '../worker/workflow-stack-traces.ts';
import { createContactActivities } from '../activities/contact/reserve-contact-slot.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';

describe('workflow stack traces in the worker threads (JOURNEY_WORKER_STACK_TRACES)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const workerOn = (taskQueue: string, workflowStackTraces?: boolean) =>
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
    const off = await workerOn('st-off', false);
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
      withoutWorkflowStackTraces(() =>
        Worker.create({ connection: env.nativeConnection, taskQueue: 'st-a', workflowBundle: workflowBundle() }),
      ),
      withoutWorkflowStackTraces(() =>
        Worker.create({ connection: env.nativeConnection, taskQueue: 'st-b', workflowBundle: workflowBundle() }),
      ),
    ]);
    expect([a.applied, b.applied]).toEqual([true, true]);
    expect(workerThreads.Worker).toBe(original);
    // A call that starts no thread is not applied, though another call's threads start while it runs.
    let release!: () => void;
    const idle = withoutWorkflowStackTraces(() => new Promise<string>((r) => (release = () => r('idle'))));
    const busy = await withoutWorkflowStackTraces(() =>
      Worker.create({ connection: env.nativeConnection, taskQueue: 'st-c', workflowBundle: workflowBundle() }),
    );
    release();
    expect([(await idle).applied, busy.applied]).toEqual([false, true]);
    expect(workerThreads.Worker).toBe(original);
    // Workers that are never run need no shutdown: nothing polls until run() is called.
  });
});
