// Customers and runs against the dev server, with a real worker running the customer workflow on its own queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../../worker/worker.ts';
import { workflowBundle } from '../support/temporal.ts';
import { auth, event, newCustomer, startApi, type ApiFixture } from './support.ts';
import { RELEASE } from '../../workflows/release.ts';
import { waitFor } from '../support/wait.ts';

describe('customers and runs', () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    f = await startApi({ temporalCallTimeoutMs: 3000 });
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
    worker?.shutdown();
    await running;
    await f?.close();
  });

  it('PUT traits → 202, then GET shows them in the profile with the journeys the customer is in', async () => {
    const id = newCustomer();
    const put = await f.api.inject({
      method: 'PUT',
      url: `/v1/customers/${id}`,
      headers: auth('ingest-key'),
      payload: { email: 'grace@example.com', segment: 'enterprise', arr: 120000 },
    });
    expect(put.statusCode).toBe(202);
    expect((await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(id) })).statusCode).toBe(202);
    // Visibility is eventually consistent: wait until the run is listed. A promoter's answer opens a cycle only in
    // nps-promoter-referral; the other journeys name nps.submitted only to hold a detractor, so no run starts there.
    let body: { profile: { traits: Record<string, unknown> }; journeys: { journeyId: string; status: string }[] } | undefined;
    for (let i = 0; i < 40; i++) {
      const res = await f.api.inject({ method: 'GET', url: `/v1/customers/${id}`, headers: auth('read-key') });
      expect(res.statusCode).toBe(200);
      body = res.json();
      if (body!.journeys.length >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(body!.profile.traits).toEqual({ email: 'grace@example.com', segment: 'enterprise', arr: 120000 });
    expect(body!.journeys.map((j) => j.journeyId).sort()).toEqual(['nps-promoter-referral']);
    expect(body!.journeys.every((j) => j.status === 'RUNNING')).toBe(true);
  });

  it('PUT with a trait outside the traits schema → 400 naming it', async () => {
    const res = await f.api.inject({
      method: 'PUT',
      url: `/v1/customers/${newCustomer()}`,
      headers: auth(),
      payload: { segment: 'galactic', shoeSize: 44 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/segment', '/shoeSize']));
  });

  it('GET an unknown customer → 404; a malformed id → 400', async () => {
    expect((await f.api.inject({ method: 'GET', url: `/v1/customers/${newCustomer('ghost')}`, headers: auth() })).statusCode).toBe(404);
    expect((await f.api.inject({ method: 'GET', url: `/v1/customers/a%20b`, headers: auth() })).statusCode).toBe(400);
  });

  it('opt-out is recorded by the customer workflow (started if needed) and reported per journey', async () => {
    const id = newCustomer();
    const res = await f.api.inject({
      method: 'POST',
      url: `/v1/customers/${id}/opt-out`,
      headers: auth('ops-key'),
      payload: { actor: 'ops@example.com', reason: 'asked by phone' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().profile.optedOut).toMatchObject({ reason: expect.stringContaining('asked by phone') });
    const again = await f.api.inject({ method: 'GET', url: `/v1/customers/${id}`, headers: auth() });
    expect(again.json().profile.optedOut).not.toBeNull();
    expect(
      (await f.api.inject({ method: 'POST', url: `/v1/customers/${id}/opt-out`, headers: auth('ingest-key'), payload: {} })).statusCode,
    ).toBe(403);
  });

  it('run actions: 404 for a run that does not exist; GET of a run reports its status', async () => {
    const id = newCustomer();
    const missing = await f.api.inject({
      method: 'POST',
      url: `/v1/journeys/nps-promoter-referral/runs/${id}/pause`,
      headers: auth('ops-key'),
      payload: {},
    });
    expect(missing.statusCode).toBe(404);
    expect((await f.api.inject({ method: 'GET', url: `/v1/journeys/nps-promoter-referral/runs/${id}`, headers: auth() })).statusCode).toBe(
      404,
    );
    await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(id) });
    const run = await f.api.inject({ method: 'GET', url: `/v1/journeys/nps-promoter-referral/runs/${id}`, headers: auth('read-key') });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ workflowId: `journey:nps-promoter-referral:${id}`, status: 'RUNNING' });
  });

  it("pause / resume / skip-wait / cancel reach the run as Updates; a refused action is a 409 with the run's reason", async () => {
    const id = newCustomer();
    // A detractor starts no run; the promoter after it starts one, which reads the detractor's hold and keeps listening.
    await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(id, { data: { score: 3 } }) });
    await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(id, { data: { score: 10 } }) });
    const act = (action: string) =>
      f.api.inject({
        method: 'POST',
        url: `/v1/journeys/nps-promoter-referral/runs/${id}/${action}`,
        headers: auth('ops-key'),
        payload: { actor: 'test', reason: 'api test' },
      });
    const paused = await act('pause');
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ action: 'pause', workflowId: `journey:nps-promoter-referral:${id}`, state: expect.any(Object) });
    expect((await act('resume')).statusCode).toBe(200);
    // The held run is listening for delight: there is no wait to skip, and the interpreter says so.
    const skip = await act('skip-wait');
    expect(skip.statusCode, skip.body).toBe(409);
    expect(skip.json()).toMatchObject({ error: 'refused', message: expect.stringContaining('nothing to skip') });
    expect((await act('cancel')).statusCode).toBe(200);
  });

  it('hand-over moves a run and customer:<id> onto fresh histories, each of which records the current release (JourneyRelease)', async () => {
    const id = newCustomer();
    expect((await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(id) })).statusCode).toBe(202);
    const runUrl = `/v1/journeys/nps-promoter-referral/runs/${id}`;
    const workflowId = `journey:nps-promoter-referral:${id}`;
    const client = f.temporal.client;
    const listed = async (query: string) => {
      const runs = [];
      for await (const run of client.workflow.list({ query })) runs.push(run.runId);
      return runs;
    };
    /** Whether this run's own history has a JourneyRelease upsert (not one copied over continue-as-new). */
    const upsertsRelease = async (wfId: string, runId: string) =>
      (await client.workflow.getHandle(wfId, runId).fetchHistory()).events!.some(
        (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.JourneyRelease,
      );
    const first = await waitFor('the run', async () => {
      const res = await f.api.inject({ method: 'GET', url: runUrl, headers: auth('read-key') });
      return res.statusCode === 200 && res.json().state ? (res.json() as { runId: string }) : undefined;
    });
    expect(
      await waitFor('the run listed by release', async () => {
        const runs = await listed(`WorkflowId = '${workflowId}' AND JourneyRelease = '${RELEASE}'`);
        return runs.length > 0 && runs;
      }),
    ).toEqual([first.runId]);

    const handOver = await f.api.inject({
      method: 'POST',
      url: `${runUrl}/hand-over`,
      headers: auth('ops-key'),
      payload: { actor: 'test', reason: 'retire a patch' },
    });
    expect(handOver.statusCode, handOver.body).toBe(200);
    expect(handOver.json()).toMatchObject({
      action: 'hand-over',
      workflowId,
      state: { handoverRequested: { actor: 'test', reason: 'retire a patch' } },
    });
    const next = await waitFor('the next run', async () => {
      const res = await f.api.inject({ method: 'GET', url: runUrl, headers: auth('read-key') });
      const body = res.json() as { runId: string; status: string; state?: { notes: { text: string }[] } };
      return body.runId !== first.runId && body.status === 'RUNNING' && body.state ? body : undefined;
    });
    expect(next.state!.notes.map((n) => n.text)).toContain('operator handOver by test: retire a patch');
    // The customer's view lists the run that took over, not the one that handed over; ?history=true lists both.
    type Listed = { journeys: { workflowId: string; runId: string; status: string; state: unknown }[] };
    const runsOf = async (url: string) =>
      ((await f.api.inject({ method: 'GET', url, headers: auth('read-key') })).json() as Listed).journeys.filter(
        (j) => j.workflowId === workflowId,
      );
    const withHistory = await waitFor('both runs listed with ?history=true', async () => {
      const runs = await runsOf(`/v1/customers/${id}?history=true`);
      return runs.some((r) => r.runId === next.runId) && runs.some((r) => r.runId === first.runId) && runs;
    });
    expect(withHistory.find((r) => r.runId === first.runId)).toMatchObject({ status: 'CONTINUED_AS_NEW', state: null });
    const current = await runsOf(`/v1/customers/${id}`);
    expect(current.map((r) => [r.runId, r.status])).toEqual([[next.runId, 'RUNNING']]);
    expect(current[0].state).toMatchObject({ customerId: id });
    const query = `WorkflowId = '${workflowId}' AND ExecutionStatus = 'Running' AND JourneyRelease = '${RELEASE}'`;
    expect(
      await waitFor('the next run listed by release', async () => {
        const runs = await listed(query);
        return runs.includes(next.runId) && runs;
      }),
    ).toEqual([next.runId]);
    expect(await waitFor('the next run to record its release', () => upsertsRelease(workflowId, next.runId))).toBe(true);

    const customer = `customer:${id}`;
    const profileRun = (await client.workflow.getHandle(customer).describe()).runId;
    const profileHandOver = await f.api.inject({
      method: 'POST',
      url: `/v1/customers/${id}/hand-over`,
      headers: auth('ops-key'),
      payload: { actor: 'test' },
    });
    expect(profileHandOver.statusCode, profileHandOver.body).toBe(200);
    expect(profileHandOver.json()).toMatchObject({
      action: 'hand-over',
      workflowId: customer,
      state: { customerId: id, handoverRequested: { actor: 'test' } },
    });
    const nextProfile = await waitFor('the next customer run', async () => {
      const d = await client.workflow.getHandle(customer).describe();
      return d.runId !== profileRun && d.status.name === 'RUNNING' && d.runId;
    });
    expect(
      await waitFor('the next customer run listed by release', async () => {
        const runs = await listed(`WorkflowId = '${customer}' AND ExecutionStatus = 'Running' AND JourneyRelease = '${RELEASE}'`);
        return runs.includes(nextProfile) && runs;
      }),
    ).toEqual([nextProfile]);
    // Its first workflow task sets it (the list above may already match a value copied over continue-as-new).
    expect(await waitFor('the next customer run to record its release', () => upsertsRelease(customer, nextProfile))).toBe(true);

    const unknown = await f.api.inject({
      method: 'POST',
      url: `/v1/customers/${newCustomer()}/hand-over`,
      headers: auth('ops-key'),
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('is not running') });
  });
});
