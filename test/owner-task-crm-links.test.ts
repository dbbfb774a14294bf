// The CRM webhook provider's owner task carries the same signed links as the built-in provider's email: the task's
// page, Done and Decline, in mapped properties (HubSpot `journey_task_*_url`, Salesforce `Journey_Task_*_Url__c`), in
// the structured record, and in the task's body. End to end on the real API, worker and dev server, with the CRM
// receiver of test/crm/receiver.ts: the owner follows the Done link from the CRM task to /o, confirms (twice), and the
// run takes exactly one owner_task.completed and moves on to Activate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { BrowserContext } from 'playwright-core';
import { journeyEventSignal, journeyStateQuery, journeyWorkflowId, type JourneyEvent } from '../workflows/contract/index.ts';
import { loadCrmMappings } from '../definitions/crm-mapping.ts';
import { listOutbox } from '../activities/outbox.ts';
import { event, postEvent, signalsIn, type ApiFixture } from './api/support.ts';
import { startPagesStack, type PagesStack } from './support/pages-stack.ts';
import { startCrmReceiver, type CrmReceiver } from './crm/receiver.ts';
import { strategicRenewal } from './support/strategic-account.ts';

const JOURNEY = 'strategic-reference-advisory';
const OWNER = 'jordan.lee@acme.example';
const SECRET = 'crm-links-secret';

describe("the CRM webhook's owner task carries working Done / Decline links (API, worker, CRM receiver)", () => {
  let stack: PagesStack;
  let receiver: CrmReceiver;
  let f: ApiFixture;
  let context: BrowserContext;
  let base: string;

  beforeAll(async () => {
    receiver = await startCrmReceiver(SECRET);
    stack = await startPagesStack({
      crmWebhook: { url: receiver.url, secret: SECRET, crm: 'hubspot', mapping: loadCrmMappings().mappings.hubspot },
      // The task goes out at once and stays open for ten minutes (the demo's 1 day = 2 s would close it in 20 s).
      adjustPlans: (plans) => {
        for (const plan of plans.filter((p) => p.journeyId === JOURNEY))
          for (const motion of Object.values(plan.definition.motions)) {
            motion.invite.firstAskDelay = 'PT1S';
            if (motion.invite.ownerTask) motion.invite.ownerTask.answerWithin = 'PT10M';
          }
      },
    });
    ({ f, base } = stack);
    context = await stack.browser.newContext();
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const run = (customer: string) => f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customer));

  it('the owner follows Done from the CRM task, confirms twice, and the run takes one owner_task.completed', async () => {
    const customer = `crm-owner-${randomUUID().slice(0, 8)}`;
    const res = await postEvent(f, event(customer, strategicRenewal(customer, OWNER)));
    expect(res.statusCode, res.body).toBe(202);
    const taskOf = () => [...receiver.records.values()].find((r) => r.object === 'tasks' && r.properties.journey_customer_id === customer);
    await expect.poll(() => taskOf() !== undefined, { timeout: 60_000, interval: 250 }).toBe(true);
    const task = taskOf()!;
    const props = task.properties as Record<string, string>;
    const { journey_task_url: url, journey_task_done_url: doneUrl, journey_task_decline_url: declineUrl } = props;
    expect(url.startsWith(`${base}/o/`), 'the API public URL, as in the email').toBe(true);
    expect(doneUrl).toBe(`${url}?answer=done`);
    expect(declineUrl).toBe(`${url}?answer=decline`);
    expect(url, 'the link names no customer id').not.toContain(customer);
    expect(task.records[0]).toMatchObject({ links: { url, doneUrl, declineUrl } });
    // The task's body is the owner email as rendered with the links (the shipped template links Done and Decline).
    expect(props.hs_task_body).toContain(doneUrl);
    expect(props.hs_task_body).toContain(declineUrl);
    // The webhook provider sent no email to the owner.
    expect((await listOutbox(f.dataDir)).filter((m) => m.to === OWNER && m.message.Metadata?.customer === customer)).toEqual([]);

    const { taskId } = (await run(customer).query(journeyStateQuery)).ownerTask!;
    expect(task.id).toBe(taskId);
    // Opening the link (a CRM's link preview, then the owner) changes nothing.
    expect((await context.request.get(declineUrl)).status()).toBe(200);
    const opened = await context.request.get(doneUrl);
    expect(opened.status()).toBe(200);
    expect((await run(customer).query(journeyStateQuery)).ownerTask?.outcome).toBeUndefined();
    const csrf = /name="csrf" value="([^"]+)"/.exec(await opened.text())?.[1];
    expect(csrf).toBeTruthy();
    const posted = await Promise.all([0, 1].map(() => context.request.post(url, { form: { csrf: csrf!, answer: 'done' } })));
    expect(posted.map((r) => r.status())).toEqual([200, 200]);

    await expect
      .poll(async () => (await run(customer).query(journeyStateQuery)).stage, { timeout: 20_000, interval: 250 })
      .toBe('activate');
    expect((await run(customer).query(journeyStateQuery)).ownerTask).toMatchObject({ taskId, outcome: 'done' });
    const answers = (await signalsIn<JourneyEvent>(f.temporal, journeyWorkflowId(JOURNEY, customer), journeyEventSignal)).filter((e) =>
      e.type.startsWith('owner_task.'),
    );
    expect(answers.map((e) => e.type)).toEqual(['owner_task.completed']);
  });
});
