// Nothing a sender hands us is acknowledged unless it was taken: with the real ingest, a Postmark webhook or an
// event batch that arrives while Temporal is unreachable is a 5xx (the sender redelivers it, by the same id), a
// payload that can never be taken is a 4xx naming the field, and once Temporal answers the redelivery is taken.
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../scripts/dev-server.ts';
import { createJourneyWorker } from '../../worker/worker.ts';
import { workflowBundle } from '../support/temporal.ts';
import { auth, event, newCustomer, startApi } from './support.ts';

const hook = { username: 'postmark', password: 'hook-secret' };
const basic = `Basic ${Buffer.from(`${hook.username}:${hook.password}`).toString('base64')}`;

function hardBounce(customer: string, id: number) {
  return {
    RecordType: 'Bounce',
    ID: id,
    Type: 'HardBounce',
    MessageID: `msg-${id}`,
    MessageStream: 'broadcast',
    Metadata: { customer, journey: 'nps-promoter-referral', sendKey: 'k' },
    BouncedAt: '2026-11-05T16:33:54Z',
    Inactive: true,
  };
}

/** A client of a port nobody listens on. Left open: the SDK's retry timer of a call cut by our deadline may still
 *  fire after the test, and on a closed channel that is an uncaught "Channel has been shut down". */
async function unreachableTemporal() {
  const connection = await Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  return { client: new Client({ connection, namespace: 'default' }) };
}

describe('webhooks and batches while Temporal is unreachable', () => {
  it('a hard bounce Temporal could not take is 503 with Retry-After (Postmark redelivers), and the redelivery is taken once Temporal answers', async () => {
    const dead = await unreachableTemporal();
    const down = await startApi({ client: dead.client, postmark: { basicAuth: hook }, temporalCallTimeoutMs: 1500 });
    const customer = newCustomer('bounce');
    const payload = hardBounce(customer, Math.floor(Math.random() * 1e9));
    try {
      const res = await down.api.inject({
        method: 'POST',
        url: '/v1/webhooks/postmark',
        headers: { authorization: basic, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ error: 'temporal_unavailable', requestId: expect.any(String) });
      const metrics = (await down.api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/journey_api_temporal_errors_total\{operation="routeEvent"\} [1-9]/);
    } finally {
      await down.close();
    }
    // Postmark redelivers the same payload to an API whose Temporal answers: taken, and the customer hears it.
    const up = await startApi({ postmark: { basicAuth: hook } });
    try {
      const res = await up.api.inject({
        method: 'POST',
        url: '/v1/webhooks/postmark',
        headers: { authorization: basic, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'accepted', eventId: `postmark:bounce:${payload.ID}`, type: 'email.bounced' });
      await up.temporal.client.workflow.getHandle(`customer:${customer}`).terminate('test over');
    } finally {
      await up.close();
    }
  });

  it('a payload that can never be taken is a 4xx naming the field of the Postmark payload, not a 200 nor a 503', async () => {
    const dead = await unreachableTemporal();
    const f = await startApi({ client: dead.client, postmark: { basicAuth: hook }, temporalCallTimeoutMs: 1500 });
    try {
      for (const customer of ['..', 'x'.repeat(1200), 'a b']) {
        const res = await f.api.inject({
          method: 'POST',
          url: '/v1/webhooks/postmark',
          headers: { authorization: basic, 'content-type': 'application/json' },
          payload: hardBounce(customer, 77),
        });
        expect(res.statusCode, customer.slice(0, 20)).toBe(422);
        expect(res.json()).toMatchObject({
          error: 'invalid_webhook',
          errors: expect.arrayContaining([expect.objectContaining({ pointer: '/Metadata/customer' })]),
        });
      }
    } finally {
      await f.close();
    }
  });

  it('a batch with events Temporal could not take is 503 with each item answered, never a 202 that loses them', async () => {
    const dead = await unreachableTemporal();
    const f = await startApi({ client: dead.client, temporalCallTimeoutMs: 1500 });
    try {
      const good = event(newCustomer('batch'));
      const bad = { ...event(newCustomer('batch')), data: { score: 'ten' } };
      const res = await f.api.inject({ method: 'POST', url: '/v1/events/batch', headers: auth(), payload: { events: [good, bad] } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        accepted: 0,
        rejected: 1,
        failed: 1,
        results: [
          { id: good.id, status: 'failed', retryable: true },
          { status: 'rejected', errors: [expect.objectContaining({ pointer: '/events/1/data/score' })] },
        ],
      });
    } finally {
      await f.close();
    }
  });

  it('an opt-out whose runs cannot be listed says so instead of answering journeys: []', async () => {
    // Listing runs goes through visibility; a query the server refuses stands in for a visibility outage here,
    // with the opt-out itself (an Update on customer:<id>) taken by the real server.
    const f = await startApi({ temporalCallTimeoutMs: 5000 });
    const worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      activityDeps: { dataDir: f.dataDir, customers: { client: f.temporal.client, taskQueue: f.taskQueue } },
      workflowBundle: workflowBundle(),
    });
    const running = worker.run();
    const customer = newCustomer('optout');
    const list = f.temporal.client.workflow.list.bind(f.temporal.client.workflow);
    f.temporal.client.workflow.list = ((opts: { query?: string }) =>
      list({ ...opts, query: `${opts?.query} AND NoSuchAttribute = 1` })) as never;
    try {
      const res = await f.api.inject({
        method: 'POST',
        url: `/v1/customers/${customer}/opt-out`,
        headers: auth(),
        payload: { reason: 'asked us to stop' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ journeys: null, journeysError: expect.stringContaining('could not be listed') });
      await f.temporal.client.workflow.getHandle(`customer:${customer}`).terminate('test over');
    } finally {
      worker.shutdown();
      await running;
      await f.close();
    }
  });
});
