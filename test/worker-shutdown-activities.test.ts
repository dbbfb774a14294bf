// A worker shutting down cancels its in-flight activities and waits for them to end (worker/worker.ts,
// shutdownGraceMs). These activities wait on something outside the worker: the customer workflow's answer to an
// update, a CRM that does not answer. Each must end at the cancellation (activities/cancellation.ts), or the worker
// never stops: the codec dev-server test's teardown once waited past 120 s for exactly this.
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.ts';
import { loadCrmMappings } from '../definitions/crm-mapping.ts';
import type { ContactSlotRequest, ReferralRecordRequest } from '../workflows/contract/index.ts';
import { connectDevServer, terminateRunsOn, uniqueTaskQueue, type DevServerClients } from './support/temporal.ts';

const GRACE_MS = 1000;
/** Well under what it took before: for ever (the update), the CRM request's 120 s timeout (the webhook). */
const PROMPT_MS = 20_000;

describe('a worker shutting down with an activity in flight that waits on something outside the worker', () => {
  let temporal: DevServerClients;
  let silentCrm: Server;
  let silentCrmUrl = '';
  const queues: string[] = [];

  beforeAll(async () => {
    temporal = await connectDevServer();
    // A CRM integration that takes the request and never answers.
    silentCrm = createServer(() => undefined);
    await new Promise<void>((r) => silentCrm.listen(0, '127.0.0.1', r));
    const addr = silentCrm.address();
    silentCrmUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/crm`;
  });

  afterAll(async () => {
    silentCrm.closeAllConnections();
    silentCrm.close();
    await terminateRunsOn(temporal.client, ...queues);
    await temporal.close();
  });

  /** Starts a worker, puts `activity` in flight, waits until it is running, then times the worker's shutdown. */
  async function shutdownWithActivityInFlight(activity: string, arg: unknown, customersQueue: string): Promise<number> {
    const taskQueue = uniqueTaskQueue('shutdown');
    queues.push(taskQueue, customersQueue);
    const worker = await Worker.create({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./shutdown/one-activity-workflow.ts', import.meta.url)),
      activities: createActivities({
        dataDir: mkdtempSync(join(tmpdir(), 'shutdown-')),
        // The customer workflows live on a queue no worker polls: an update to one is never answered.
        customers: { client: temporal.client, taskQueue: customersQueue, profileDefaults: { searchAttributes: false } },
        crmWebhook: { url: silentCrmUrl, secret: 's', crm: 'hubspot', mapping: loadCrmMappings().mappings.hubspot, timeoutMs: 120_000 },
        rewardWebhook: null,
      }),
      shutdownGraceTime: GRACE_MS,
    });
    const running = worker.run();
    const run = await temporal.client.workflow.start('runOneActivity', {
      taskQueue,
      workflowId: `shutdown-${activity}-${randomUUID()}`,
      args: [activity, arg],
    });
    // In flight: the activity has started (and is waiting on the outside).
    for (;;) {
      const { raw } = await run.describe();
      if ((raw.pendingActivities ?? []).some((a) => String(a.state) === 'PENDING_ACTIVITY_STATE_STARTED' || a.state === 2)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    worker.shutdown();
    const stopped = await Promise.race([
      running.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), PROMPT_MS).unref()),
    ]);
    expect(stopped, `the worker was still shutting down ${PROMPT_MS / 1000} s after shutdown(): ${activity} did not end`).toBe(true);
    return Date.now() - t0;
  }

  it('ends promptly while reserveContactSlot waits for customer:<id> to answer its update', async () => {
    const customerId = `shutdown-${randomUUID()}`;
    const req: ContactSlotRequest = { customerId, journeyId: 'j', sendKey: `k-${customerId}`, at: new Date().toISOString() };
    const ms = await shutdownWithActivityInFlight('reserveContactSlot', req, uniqueTaskQueue('unpolled-customers'));
    console.log(`SHUTDOWN with an update in flight: ${ms} ms (grace ${GRACE_MS} ms)`);
  }, 120_000);

  it('ends promptly while writeReferralRecord waits for a CRM that does not answer', async () => {
    const referral: ReferralRecordRequest = {
      idempotencyKey: `referral:j:a:${randomUUID()}:submitted`,
      referralId: 'r-1',
      stage: 'submitted',
      source: { kind: 'advocacy-journey', journeyId: 'j', journeyVersion: 1, journeyName: 'J' },
      advocate: { customerId: 'a' },
      at: new Date().toISOString(),
    };
    const ms = await shutdownWithActivityInFlight('writeReferralRecord', referral, uniqueTaskQueue('unused'));
    console.log(`SHUTDOWN with a CRM request in flight: ${ms} ms (grace ${GRACE_MS} ms)`);
  }, 120_000);
});
