// Each defect the fuzzer (test/fuzz.test.ts) found in the runs, pinned by the direct signal or update that showed it:
// sent with the official client to live runs on the dev server (real worker, the bundle as workers build it), each
// is refused or ignored, and the run's workflow task never fails (before the fixes, each one failed it on every
// retry: the run was stuck for good and answered no query).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import protos from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../worker/worker.ts';
import { customerStateQuery, journeyStateQuery } from '../workflows/contract/index.ts';
import { auth, event, newCustomer, startApi, type ApiFixture } from './api/support.ts';
import { terminateRunsOn, workflowBundle } from './support/temporal.ts';

const { EventType } = protos.temporal.api.enums.v1;

async function taskFailures(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? 'failed');
}

/** Polls a query until `ok` holds (a run whose task fails answers no query: that times out here). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await read();
      if (ok(v)) return v;
      last = v;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what}: never held; last ${JSON.stringify(last)?.slice(0, 400)}`);
}

describe('what the fuzzer found in the runs (each fixed at the root)', () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;
  /** A customer of its own for each test, with a live nps run and profile: one test's stuck run cannot fail the next. */
  async function freshCustomer(): Promise<{ customer: string; run: WorkflowHandle; profile: WorkflowHandle }> {
    const customer = newCustomer('found');
    const sent = await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: event(customer, { traits: { email: `${customer}@example.com`, timezone: 'Europe/Berlin' } }),
    });
    expect(sent.statusCode, sent.body).toBe(202);
    const run = f.temporal.client.workflow.getHandle(`journey:nps-promoter-referral:${customer}`);
    const profile = f.temporal.client.workflow.getHandle(`customer:${customer}`);
    await eventually(
      () => run.query(journeyStateQuery),
      (s) => s.stage !== undefined,
      'the run answers',
    );
    await eventually(
      () => profile.query(customerStateQuery),
      (s) => s.traits.email !== undefined,
      'the profile answers',
    );
    return { customer, run, profile };
  }

  beforeAll(async () => {
    f = await startApi();
    worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      activityDeps: { dataDir: f.dataDir, customers: { client: f.temporal.client, taskQueue: f.taskQueue } },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
  });
  afterAll(async () => {
    if (f) await terminateRunsOn(f.temporal.client, f.taskQueue);
    worker?.shutdown();
    await running;
    await f?.close();
  });

  it('a signal whose payload no decoder reads is noted and ignored', async () => {
    const { run } = await freshCustomer();
    await f.temporal.client.workflowService.signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: run.workflowId },
      signalName: 'journeyEvent',
      input: { payloads: [{ metadata: { encoding: Buffer.from('binary/unknown') }, data: Buffer.from([1, 2, 3]) }] },
      identity: 'fuzz-found',
    });
    const state = await eventually(
      () => run.query(journeyStateQuery),
      (s) => s.notes.some((n) => n.text.includes('unreadablePayload')),
      'the note of the unreadable signal',
    );
    expect(state.notes.map((n) => n.text).join('\n')).toContain('ignored a malformed event');
    expect(await taskFailures(run)).toEqual([]);
  });

  it('an upgradePlan that is not a runnable plan is noted and ignored', async () => {
    const { run } = await freshCustomer();
    await run.signal('upgradePlan', { journeyId: 'nps-promoter-referral', version: 99 });
    await eventually(
      () => run.query(journeyStateQuery),
      (s) => s.notes.some((n) => n.text.startsWith('upgrade ignored: not a plan')),
      'the note of the refused upgrade',
    );
    expect(await taskFailures(run)).toEqual([]);
  });

  it('operator updates with an action that is not one are rejected before they are accepted', async () => {
    const { run, profile } = await freshCustomer();
    for (const [handle, name] of [
      [profile, 'globalOptOut'],
      [run, 'pause'],
      [run, 'handOver'],
    ] as const) {
      for (const arg of [null, 5, { actor: { toString: 1 } }, { reason: ['a'] }]) {
        await expect(handle.executeUpdate(name, { args: [arg] }), `${name}(${JSON.stringify(arg)})`).rejects.toBeInstanceOf(
          WorkflowUpdateFailedError,
        );
      }
    }
    const state = await profile.query(customerStateQuery);
    expect(state.optedOut).toBeNull();
    expect(await taskFailures(profile)).toEqual([]);
    expect(await taskFailures(run)).toEqual([]);
  });

  it("the customer's own workflow refuses what is not an event or traits, and another customer's event", async () => {
    const { customer, profile } = await freshCustomer();
    const other = newCustomer('other');
    await profile.signal('customerEvent', null);
    await profile.signal('customerEvent', {
      ...event(other, { traits: { email: `${other}@example.com` } }),
    });
    await profile.signal('updateTraits', 'not traits');
    await profile.signal('updateTraits', { email: 'not an address' });
    const state = await eventually(
      () => profile.query(customerStateQuery),
      (s) => (s.refusedSignals?.count ?? 0) >= 4,
      'four refusals counted',
    );
    expect(state.traits.email).toBe(`${customer}@example.com`);
    expect(Object.keys(state.traits)).not.toContain('0');
    expect(await taskFailures(profile)).toEqual([]);
  });
});
