// The thin real slice: HTTP event → signalWithStart → workflow waits the definition's delay → outbox email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { listOutbox } from '../activities/outbox.ts';
import { connectDevServer, uniqueTaskQueue, workflowBundle, type DevServerClients } from './support/temporal.ts';

describe('an event sent over HTTP reaches the outbox through a real dev server', () => {
  let temporal: DevServerClients;
  let worker: Worker;
  let running: Promise<void>;
  let api: FastifyInstance;
  const dataDir = mkdtempSync(join(tmpdir(), 'journey-slice-'));
  const taskQueue = uniqueTaskQueue('slice');
  const journeyId = `slice-${Date.now()}`;

  beforeAll(async () => {
    temporal = await connectDevServer();
    worker = await createJourneyWorker({
      connection: temporal.workerConnection, namespace: 'default', taskQueue,
      activityDeps: { dataDir }, workflowBundle: workflowBundle(),
    });
    running = worker.run();
    api = await buildApi({
      client: temporal.client, taskQueue, apiKeys: ['test-key'],
      definitions: [{ id: journeyId, listen: ['nps.submitted'], firstAskDelay: '1 second', subject: 'Thanks!' }],
    });
  });

  afterAll(async () => {
    await api?.close();
    worker?.shutdown();
    await running;
    await temporal?.close();
  });

  it('refuses an event without a bearer token', async () => {
    const res = await api.inject({ method: 'POST', url: '/v1/events', payload: { id: 'e0', type: 'nps.submitted', customerId: 'c0' } });
    expect(res.statusCode).toBe(401);
  });

  it('names the missing field of a bad event', async () => {
    const res = await api.inject({
      method: 'POST', url: '/v1/events', headers: { authorization: 'Bearer test-key' },
      payload: { id: 'e0', type: 'nps.submitted' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('customerId');
  });

  it('starts journey:<journeyId>:<customerId>, waits the delay, writes exactly one email', async () => {
    const address = await api.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'evt-1', type: 'nps.submitted', customerId: 'cust-1', data: { score: 10 }, traits: { email: 'ada@example.com' } }),
    });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.journeys).toEqual([expect.objectContaining({ workflowId: `journey:${journeyId}:cust-1` })]);

    const handle = temporal.client.workflow.getHandle(`journey:${journeyId}:cust-1`);
    const result = await handle.result();
    expect(result.sentKey).toBe(`journey:${journeyId}:cust-1:invite:1`);
    const outbox = await listOutbox(dataDir);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: 'ada@example.com', subject: 'Thanks!', tag: journeyId });
  });
});
