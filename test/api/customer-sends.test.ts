// GET /v1/customers/{id} shows every email the customer was sent (dev server, real worker running customer:<id>,
// the real email activity through the Postmark-compatible server and the real postmark client): once per sendKey,
// even when the activity runs again for the same send.
import { customerWorkflowId } from '../../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../../worker/worker.ts';
import { createActivities } from '../../activities/index.ts';
import { workflowBundle } from '../support/temporal.ts';
import { startFakePostmark, type FakePostmark } from '../postmark/server.ts';
import { sampleAsk } from '../postmark/fixtures.ts';
import { auth, newCustomer, startApi, type ApiFixture } from './support.ts';

const TOKEN = 'sends-token';

describe('GET /v1/customers/{id}: the sends', () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;
  let postmark: FakePostmark;
  beforeAll(async () => {
    f = await startApi();
    postmark = await startFakePostmark({ serverTokens: [TOKEN] });
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
    await postmark?.close();
    await f?.close();
  });

  it('an ask and a thank-you sent through Postmark show in the profile once each, with message id, stream, template and journey', async () => {
    const customerId = newCustomer('sends');
    const { sendEmail } = createActivities({
      dataDir: f.dataDir,
      rewardWebhook: null,
      customers: { client: f.temporal.client, taskQueue: f.taskQueue },
      email: { dataDir: f.dataDir, postmark: { serverToken: TOKEN, apiUrl: postmark.url } },
    });
    const ask = sampleAsk({ customerId, sendKey: `journey:nps-referral:${customerId}:1:invite:referral:1` });
    const thanks = sampleAsk({
      customerId,
      sendKey: `journey:nps-referral:${customerId}:1:thank-you:r1`,
      step: 'thank-you:r1',
      messageStream: 'outbound',
      unsubscribeUrl: undefined,
      template: { alias: 'referral-thank-you' },
      localTemplateBody: undefined,
    });
    const sent = [await sendEmail(ask), await sendEmail(thanks)];
    // The same send again (outside a worker there is no attempt count, so Postmark even gets it twice): recorded once.
    await sendEmail(thanks);
    try {
      const profile = async () =>
        (await f.api.inject({ method: 'GET', url: `/v1/customers/${customerId}`, headers: auth() })).json().profile;
      // The record is a signal: durable at once, applied when the worker runs customer:<id>.
      await expect.poll(async () => (await profile())?.sends?.length, { timeout: 10_000 }).toBe(2);
      const sends = (await profile()).sends as Record<string, unknown>[];
      expect(sends).toEqual([
        expect.objectContaining({
          sendKey: ask.sendKey,
          journeyId: 'nps-referral',
          step: 'invite:referral:1',
          messageId: sent[0].messageId,
          messageStream: 'broadcast',
          template: 'templates/referral-invite.mustache',
          transport: 'postmark',
        }),
        expect.objectContaining({
          sendKey: thanks.sendKey,
          messageId: sent[1].messageId,
          messageStream: 'outbound',
          template: 'referral-thank-you',
          transport: 'postmark',
        }),
      ]);
      expect(JSON.stringify(sends)).not.toContain('ada@example.com');
    } finally {
      await f.temporal.client.workflow
        .getHandle(customerWorkflowId(customerId))
        .terminate('test over')
        .catch(() => undefined);
    }
  }, 60_000);
});
