// The thin real slice through the API process itself: `api/main.ts` refuses to start without a key, starts with
// one, and an event sent over HTTP reaches the customer's own workflow run by a real worker on the dev server.
import { customerTaskQueueOf } from '../worker/temporal-config.ts';
import { customerStateQuery } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJourneyWorkers, type JourneyWorkers } from '../worker/worker.ts';
import { freePort } from '../scripts/dev-server.ts';
import { connectDevServer, uniqueTaskQueue, workflowBundle, type DevServerClients } from './support/temporal.ts';

function startApiProcess(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { ...process.env, JOURNEY_API_KEYS: '', JOURNEY_REFERRAL_CODE_SECRET: 'slice-referral-code-secret', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  return { child, output: () => out, exited: new Promise((r) => child.once('exit', r)) };
}

describe('the API process', () => {
  let temporal: DevServerClients;
  let worker: JourneyWorkers;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('slice');
  const dataDir = mkdtempSync(join(tmpdir(), 'journey-slice-'));

  beforeAll(async () => {
    temporal = await connectDevServer();
    // As worker/main.ts: customer:<id> on the queue the API process starts it on (JOURNEY_TASK_QUEUE + "-customers").
    worker = await createJourneyWorkers({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      customerTaskQueue: customerTaskQueueOf(taskQueue),
      activityDeps: { dataDir, customers: { client: temporal.client, taskQueue } },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await temporal?.close();
  });

  it('refuses to start with no API key configured', async () => {
    const p = startApiProcess({ ...temporal.envFor('api') });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('no API key configured');
  });

  it('refuses to start without a referral code secret (the public dev default would make codes forgeable)', async () => {
    const p = startApiProcess({ ...temporal.envFor('api'), JOURNEY_API_KEYS: 'k', JOURNEY_REFERRAL_CODE_SECRET: '' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('api: JOURNEY_REFERRAL_CODE_SECRET is not set');
    const short = startApiProcess({ ...temporal.envFor('api'), JOURNEY_API_KEYS: 'k', JOURNEY_REFERRAL_CODE_SECRET: 'short' });
    expect(await short.exited).toBe(1);
    expect(short.output()).toContain('at least 16 characters');
  });

  it('refuses an unknown scope in JOURNEY_API_KEYS', async () => {
    const p = startApiProcess({ ...temporal.envFor('api'), JOURNEY_API_KEYS: 'k:admin' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('unknown scope "admin"');
  });

  it('serves events over HTTP: the customer workflow takes the event and its traits; the log has no email or key', async () => {
    const port = await freePort();
    const p = startApiProcess({
      ...temporal.envFor('api'),
      JOURNEY_TASK_QUEUE: taskQueue,
      JOURNEY_API_PORT: String(port),
      JOURNEY_API_KEYS: 'slice-secret-key:ingest+read',
      JOURNEY_DATA_DIR: dataDir,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      for (
        let i = 0;
        i < 100 &&
        !(await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 200));
      const customer = `slice-${Date.now()}`;
      const res = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { authorization: 'Bearer slice-secret-key', 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `evt-${customer}`,
          type: 'nps.submitted',
          customerId: customer,
          occurredAt: new Date().toISOString(),
          data: { score: 10 },
          traits: { email: 'ada@example.com' },
        }),
      });
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body.journeys.map((j: { workflowId: string }) => j.workflowId)).toContain(`journey:nps-promoter-referral:${customer}`);
      const state = (await temporal.client.workflow.getHandle(`customer:${customer}`).query(customerStateQuery)) as {
        traits: Record<string, unknown>;
      };
      expect(state.traits).toEqual({ email: 'ada@example.com' });
      const failing = await fetch(`${base}/v1/customers/ada@example.com`, { headers: { authorization: 'Bearer slice-secret-key' } });
      expect(failing.status).toBe(404);
      expect(p.output()).toMatch(/"reqId"/);
      expect(p.output()).not.toContain('ada@example.com');
      expect(p.output()).not.toContain('slice-secret-key');
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
