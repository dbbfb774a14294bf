// GET /v1/customers/{id} → sends: every email the customer was sent, from every journey's current run (each run keeps
// what its emails' provider took, journey/sends.ts) and what customer:<id> recorded from a worker of an earlier build
// (its recordSend signal): once per send key, oldest first. Dev server, a real worker running the journey run and
// customer:<id>, the real API answering from their queries.
import {
  customerWorkflowId,
  JOURNEY_WORKFLOW_TYPE,
  journeyStateQuery,
  journeyWorkflowId,
  recordSendSignal,
  type SentEmail,
} from '../../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../../worker/worker.ts';
import { workflowBundle } from '../support/temporal.ts';
import { shippedPlan } from '../interpreter/harness.ts';
import { customerSends } from '../../api/customer-sends.ts';
import { MAX_CLOSED_RUNS_READ } from '../../api/routes/customers.ts';
import { auth, newCustomer, startApi, type ApiFixture } from './support.ts';

const JOURNEY = 'nps-promoter-referral';

function sent(customerId: string, step: string, sentAt: string, over: Partial<SentEmail> = {}): SentEmail {
  return {
    sendKey: `journey:${JOURNEY}:${customerId}:1:${step}`,
    journeyId: JOURNEY,
    step,
    messageId: `msg-${step}`,
    messageStream: step.startsWith('invite') ? 'broadcast' : 'outbound',
    template: 'templates/referral-invite.mustache',
    transport: 'postmark',
    sentAt,
    ...over,
  };
}

describe('customerSends', () => {
  it('merges the profile and the runs, once per send key (the first seen kept), oldest first; unreadable states add nothing', () => {
    const a = sent('c', 'invite:referral:1', '2026-01-01T10:00:00.000Z');
    const b = sent('c', 'invite:referral:2', '2026-01-05T10:00:00.000Z');
    const c = sent('c', 'thank-you:r1', '2026-01-03T10:00:00.000Z');
    const merged = customerSends({ sends: [b] }, [{ sends: [c, a] }, null, {}, { sends: [{ ...b, messageId: 'other' }] }]);
    expect(merged.map((s) => s.step)).toEqual(['invite:referral:1', 'thank-you:r1', 'invite:referral:2']);
    expect(merged[2].messageId).toBe('msg-invite:referral:2');
    expect(customerSends(null, [])).toEqual([]);
  });
});

describe('GET /v1/customers/{id}: the sends', () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    f = await startApi();
    worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      activityDeps: { dataDir: f.dataDir, rewardWebhook: null },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await f?.close();
  });

  it("lists the run's sends and customer:<id>'s older ones together, once each, with message id, stream, template and journey", async () => {
    const customerId = newCustomer('sends');
    const put = await f.api.inject({ method: 'PUT', url: `/v1/customers/${customerId}`, headers: auth(), payload: { segment: 'smb' } });
    expect(put.statusCode).toBe(202);
    const older = sent(customerId, 'invite:referral:1', '2026-01-01T10:00:00.000Z');
    const ask = sent(customerId, 'invite:referral:2', '2026-01-08T10:00:00.000Z');
    const thanks = sent(customerId, 'thank-you:r1', '2026-01-09T10:00:00.000Z', { template: 'referral-thank-you' });
    // A worker of an earlier build recorded the first ask in customer:<id>.
    await f.temporal.client.workflow.getHandle(customerWorkflowId(customerId)).signal(recordSendSignal, older);
    // The journey's run carried its own record over continue-as-new (the older ask too: kept once).
    const plan = await shippedPlan(JOURNEY);
    const run = await f.temporal.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
      workflowId: journeyWorkflowId(JOURNEY, customerId),
      taskQueue: f.taskQueue,
      args: [{ plan, customerId, carried: { sends: [older, ask, thanks] } }],
    });
    try {
      const customer = async () => (await f.api.inject({ method: 'GET', url: `/v1/customers/${customerId}`, headers: auth() })).json();
      // The run is listed once the server's visibility has its search attributes.
      await expect.poll(async () => (await customer()).sends?.length, { timeout: 15_000, interval: 250 }).toBe(3);
      const body = await customer();
      expect(body.sends).toEqual([older, ask, thanks]);
      expect(body.profile.sends).toEqual([older]);
      expect(body.journeys).toEqual([expect.objectContaining({ journeyId: JOURNEY, status: 'RUNNING' })]);
    } finally {
      for (const id of [run.workflowId, customerWorkflowId(customerId)])
        await f.temporal.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
    }
  }, 60_000);

  it('a run that closed without a successor (terminated) still shows its sends and its state as it closed', async () => {
    const customerId = newCustomer('sends-closed');
    const ask = sent(customerId, 'invite:referral:1', '2026-02-01T10:00:00.000Z');
    const plan = await shippedPlan(JOURNEY);
    const run = await f.temporal.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
      workflowId: journeyWorkflowId(JOURNEY, customerId),
      taskQueue: f.taskQueue,
      args: [{ plan, customerId, carried: { sends: [ask] } }],
    });
    const customer = async () => (await f.api.inject({ method: 'GET', url: `/v1/customers/${customerId}`, headers: auth() })).json();
    await expect.poll(async () => (await customer()).journeys?.[0]?.state?.sends?.length, { timeout: 15_000, interval: 250 }).toBe(1);
    // What an operator's terminate (or a run failed for good) leaves: the run is closed and nothing took over.
    await run.terminate('closed for the test: the API must still read it');
    await expect.poll(async () => (await customer()).journeys?.[0]?.status, { timeout: 15_000, interval: 250 }).toBe('TERMINATED');
    const body = await customer();
    expect(body.sends).toEqual([ask]);
    expect(body.journeys[0].state).toMatchObject({ customerId, sends: [ask] });
    // ?history=true keeps closed runs null, as documented.
    const all = (await f.api.inject({ method: 'GET', url: `/v1/customers/${customerId}?history=true`, headers: auth() })).json();
    expect(all.journeys).toEqual([expect.objectContaining({ status: 'TERMINATED', state: null })]);
  }, 60_000);

  it('the emails of a run that closed without a successor stay listed once a new run of the journey took its place', async () => {
    const customerId = newCustomer('sends-replaced');
    const workflowId = journeyWorkflowId(JOURNEY, customerId);
    const first = sent(customerId, 'invite:referral:1', '2026-03-01T10:00:00.000Z');
    const second = sent(customerId, 'invite:referral:2', '2026-03-20T10:00:00.000Z', { messageId: 'msg-new-run' });
    const plan = await shippedPlan(JOURNEY);
    const customer = async (query = '') =>
      (await f.api.inject({ method: 'GET', url: `/v1/customers/${customerId}${query}`, headers: auth() })).json();
    const old = await f.temporal.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: f.taskQueue,
      args: [{ plan, customerId, carried: { sends: [first] } }],
    });
    await expect.poll(async () => (await customer()).sends?.length, { timeout: 15_000, interval: 250 }).toBe(1);
    await old.terminate('closed for the test: a run that failed for good');
    // What the API does at the journey's next opening event: a new run of the same id, which starts with no sends.
    const replacement = await f.temporal.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: f.taskQueue,
      args: [{ plan, customerId, carried: { sends: [second] } }],
    });
    try {
      await expect
        .poll(async () => (await customer()).journeys?.map((j: { runId: string }) => j.runId), { timeout: 15_000, interval: 250 })
        .toEqual([replacement.firstExecutionRunId]);
      const body = await customer();
      expect(body.sends).toEqual([first, second]);
      expect(body.sendsUnread).toBeUndefined();
      // The closed run is no journey of the answer, only its sends are; ?history=true lists both runs and the same sends.
      const all = await customer('?history=true');
      expect(all.journeys.map((j: { status: string }) => j.status).sort()).toEqual(['RUNNING', 'TERMINATED']);
      expect(all.sends).toEqual([first, second]);
    } finally {
      await replacement.terminate('test over').catch(() => undefined);
    }
  }, 60_000);

  it(`reads the sends of the newest ${MAX_CLOSED_RUNS_READ} closed runs without a successor and names the others in sendsUnread`, async () => {
    const customerId = newCustomer('sends-many-closed');
    const workflowId = journeyWorkflowId(JOURNEY, customerId);
    const plan = await shippedPlan(JOURNEY);
    /** A run of the journey that sent `send` and was then terminated, the way an operator closes one. */
    const closedRun = async (send: SentEmail) => {
      const run = await f.temporal.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: f.taskQueue,
        args: [{ plan, customerId, carried: { sends: [send] } }],
      });
      // Closed once it has run its first task (its search attributes set, as every run the API starts has them).
      await run.query(journeyStateQuery);
      await run.terminate('closed for the test');
      return { runId: run.firstExecutionRunId, send };
    };
    const closedRuns: { runId: string; send: SentEmail }[] = [];
    // One more closed run than one read queries, each with its own send, oldest first.
    for (let i = 0; i <= MAX_CLOSED_RUNS_READ; i++)
      closedRuns.push(
        await closedRun(sent(customerId, `invite:referral:${i + 1}`, `2026-04-${String(i + 1).padStart(2, '0')}T10:00:00.000Z`)),
      );
    const customer = async () => (await f.api.inject({ method: 'GET', url: `/v1/customers/${customerId}`, headers: auth() })).json();
    // The newest closed run stands for the journey (read as it closed); the ten before it are read for their sends.
    await expect.poll(async () => (await customer()).sends?.length, { timeout: 20_000, interval: 250 }).toBe(MAX_CLOSED_RUNS_READ + 1);
    const body = await customer();
    expect(body.journeys.map((j: { runId: string }) => j.runId)).toEqual([closedRuns.at(-1)!.runId]);
    expect(body.sends).toEqual(closedRuns.map((r) => r.send));
    expect(body.sendsUnread).toBeUndefined();
    // One more: the oldest closed run is now beyond the bound, and said so.
    const extra = sent(customerId, 'invite:referral:99', '2026-05-01T10:00:00.000Z');
    await closedRun(extra);
    await expect.poll(async () => (await customer()).sendsUnread?.length, { timeout: 20_000, interval: 250 }).toBe(1);
    const after = await customer();
    expect(after.sendsUnread).toEqual([
      { workflowId, runId: closedRuns[0].runId, error: expect.stringContaining(`more than ${MAX_CLOSED_RUNS_READ} closed runs`) },
    ]);
    expect(after.sends).toEqual([...closedRuns.slice(1).map((r) => r.send), extra]);
  }, 90_000);
});
