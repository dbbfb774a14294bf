// End to end on the dev server: a renewal posted to the API starts the strategic journey, the real worker creates
// the owner's task in the CRM (the receiver in test/crm/receiver.ts), and the CRM's answer posted back to the API as
// owner_task.completed moves the live run on to Activate. An answer for an account with no run starts nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract/index.ts';
import { createJourneyWorker } from '../../worker/worker.ts';
import { loadJourneyDir } from '../../definitions/loader.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { loadCrmMappings } from '../../definitions/crm-mapping.ts';
import { terminateRunsOn, uniqueTaskQueue, workflowBundle } from '../support/temporal.ts';
import { startCrmReceiver, type CrmReceiver } from '../crm/receiver.ts';
import { auth, event, newCustomer, startApi, type ApiFixture } from './support.ts';

const SECRET = 'crm-e2e-secret';
const JOURNEY = 'strategic-reference-advisory';

describe('owner task through the API and the CRM webhook (dev server, real worker)', () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;
  let receiver: CrmReceiver;
  beforeAll(async () => {
    receiver = await startCrmReceiver(SECRET);
    // The shipped journey, asking at once and at any hour: the dev server's clock does not skip.
    const registry = new PlanRegistry(async () => {
      const loaded = await loadJourneyDir();
      for (const plan of loaded.plans.filter((p) => p.journeyId === JOURNEY))
        for (const motion of Object.values(plan.definition.motions)) motion.invite.firstAskDelay = 'PT1S';
      return loaded;
    });
    if (!(await registry.reload()).applied) throw new Error('the shipped journeys do not compile');
    f = await startApi({ registry, taskQueue: uniqueTaskQueue('crm-e2e') });
    worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      activityDeps: {
        dataDir: f.dataDir,
        rewardWebhook: null,
        customers: { client: f.temporal.client, taskQueue: f.taskQueue },
        crmWebhook: { url: receiver.url, secret: SECRET, crm: 'salesforce', mapping: loadCrmMappings().mappings.salesforce },
      },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
  }, 60_000);
  afterAll(async () => {
    // The test is over (its state was read while the runs lived): leave nothing running on the shared server.
    if (f) await terminateRunsOn(f.temporal.client, f.taskQueue);
    worker?.shutdown();
    await running;
    await f?.close();
    await receiver?.close();
  });

  it('renewal → task in the CRM (no contact slot) → owner_task.completed through the API → the run waits for the reference call', async () => {
    const customerId = newCustomer('strategic');
    const traits = {
      email: 'casey@customer.example',
      company: 'Customer Inc',
      segment: 'enterprise',
      arr: 250000,
      healthScore: 90,
      ownerEmail: 'jordan.lee@acme.example',
      ownerTimezone: 'UTC',
      ownerWorkingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
    };
    const post = (body: Record<string, unknown>) => f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: body });
    const started = await post(event(customerId, { type: 'contract.renewed', data: { termMonths: 24 }, traits }));
    expect(started.statusCode).toBe(202);
    const run = f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customerId));
    await expect.poll(async () => (await run.query(journeyStateQuery)).ownerTask?.taskId, { timeout: 30_000, interval: 250 }).toBeTruthy();
    const s = await run.query(journeyStateQuery);
    const taskId = s.ownerTask!.taskId;
    const task = receiver.records.get(`Task:${taskId}`)!;
    expect(task.properties).toMatchObject({ Journey_Task_Id__c: taskId, Owner_Email__c: 'jordan.lee@acme.example', Status: 'Not Started' });
    // No contact slot for the owner's task, and no send to the customer: the customer's own workflow has neither.
    const customer = await f.temporal.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
    expect(customer.contactHistory).toEqual([]);
    expect(customer.sends ?? []).toEqual([]);

    const answer = await post(event(customerId, { type: 'owner_task.completed', data: { taskId, note: 'call booked for Tuesday' } }));
    expect(answer.statusCode).toBe(202);
    expect(answer.json().journeys).toContainEqual(
      expect.objectContaining({ journeyId: JOURNEY, roles: ['ownerTasks'], outcome: 'signalled' }),
    );
    await expect.poll(async () => (await run.query(journeyStateQuery)).stage, { timeout: 20_000, interval: 250 }).toBe('activate');
    expect((await run.query(journeyStateQuery)).ownerTask).toMatchObject({ outcome: 'done', detail: 'call booked for Tuesday' });
  }, 90_000);

  it("an owner's answer for an account with no run is not routed: it never starts one", async () => {
    const customerId = newCustomer('no-run');
    const res = await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: event(customerId, {
        type: 'owner_task.declined',
        data: { taskId: 'journey:x:1:invite:reference-call:1', reason: 'not now' },
      }),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().journeys).toEqual([expect.objectContaining({ journeyId: JOURNEY, roles: ['ownerTasks'], outcome: 'not-routed' })]);
    await expect(f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customerId)).describe()).rejects.toThrow(/not found/i);
  });
});
