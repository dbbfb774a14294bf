// An address Postmark calls inactive (406) is suppressed in every journey, not only the one that sent: the email
// activity tells the customer's own workflow, which refuses the next contact slot of any journey.
import { EMAIL_FAILURE, customerStateQuery, customerWorkflowId, type ContactSlotDecision } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { connectDevServer, uniqueTaskQueue, workflowBundle, type DevServerClients } from './support/temporal.ts';
import { startFakePostmark, type FakePostmark } from './postmark/server.ts';
import { sampleAsk } from './postmark/fixtures.ts';

const TOKEN = 'fanout-token';

describe('an inactive recipient is suppressed across journeys', () => {
  let temporal: DevServerClients;
  let postmark: FakePostmark;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('fanout');
  const dataDir = mkdtempSync(join(tmpdir(), 'fanout-'));

  beforeAll(async () => {
    temporal = await connectDevServer();
    postmark = await startFakePostmark({ serverTokens: [TOKEN], inactiveRecipients: ['gone@example.com'] });
    worker = await createJourneyWorker({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: workflowBundle(),
      activityDeps: { dataDir, customers: { client: temporal.client, taskQueue } },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await postmark?.close();
    await temporal?.close();
  });

  it('a 406 from Postmark for one journey means the next ask of another journey is refused', async () => {
    const customerId = `gone-${Date.now()}`;
    // The activities as the worker builds them (the hook wired by createActivities), run with a real activity context.
    const activities = createActivities({
      dataDir,
      customers: { client: temporal.client, taskQueue },
      email: { dataDir, postmark: { serverToken: TOKEN, apiUrl: postmark.url } },
    });
    const ask = sampleAsk({ customerId, to: 'gone@example.com', journeyId: 'nps-referral' });
    const failure = await new MockActivityEnvironment().run(activities.sendEmail, ask).catch((e) => e);
    expect(failure).toMatchObject({ type: EMAIL_FAILURE.inactiveRecipient, nonRetryable: true });
    expect(postmark.accepted.filter((m) => m.body.Metadata.sendKey === ask.sendKey)).toHaveLength(0);

    const profile = temporal.client.workflow.getHandle(customerWorkflowId(customerId));
    await expect
      .poll(async () => ((await profile.query(customerStateQuery)) as { optedOut: { reason: string } | null }).optedOut?.reason, {
        timeout: 10_000,
      })
      .toBe('email address bounced');

    const slot: ContactSlotDecision = await new MockActivityEnvironment().run(activities.reserveContactSlot, {
      customerId,
      journeyId: 'milestone-review-ask',
      sendKey: `journey:milestone-review-ask:${customerId}:1:invite:review:1`,
      at: new Date().toISOString(),
    });
    expect(slot.granted).toBe(false);
    expect(slot.reason).toContain('bounced');
    expect(slot.retryAt).toBeUndefined();
  });
});
