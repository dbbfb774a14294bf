// No duplicate sends: the real sendEmail activity in a real worker on the dev server, with Temporal's own
// retries. After an ambiguous failure, the next attempt asks Postmark (outbound search by the sendKey
// metadata) before sending again, so exactly one message is delivered.
import type { RecipientSuppressed, SendEmailRequest } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { createEmailActivities } from '../activities/email/index.ts';
import type { EmailDeps } from '../activities/email/index.ts';
import { connectDevServer, uniqueTaskQueue, type DevServerClients } from './support/temporal.ts';
import { startFakePostmark, type Fault, type FakePostmark, type FakePostmarkOptions } from './postmark/server.ts';
import { capturingLogger, sampleAsk } from './postmark/fixtures.ts';

const TOKEN = 'retry-token-1';

interface EmailWorker {
  temporal: DevServerClients;
  postmark: FakePostmark;
  taskQueue: string;
  close(): Promise<void>;
}

/**
 * A real worker on the dev server running the sendEmail activity against a fresh Postmark-compatible server:
 * `postmark` configures that server, `deps` the activity (its Postmark client always points there, 1 s timeout).
 */
async function startEmailWorker(
  queuePrefix: string,
  postmarkOpts: Omit<FakePostmarkOptions, 'serverTokens'>,
  deps: Omit<EmailDeps, 'dataDir' | 'postmark'>,
): Promise<EmailWorker> {
  const temporal = await connectDevServer();
  const postmark = await startFakePostmark({ serverTokens: [TOKEN], ...postmarkOpts });
  const taskQueue = uniqueTaskQueue(queuePrefix);
  const worker = await Worker.create({
    connection: temporal.workerConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./postmark/send-email-workflow.ts', import.meta.url)),
    activities: createEmailActivities({
      dataDir: mkdtempSync(join(tmpdir(), `${queuePrefix}-`)),
      postmark: { serverToken: TOKEN, apiUrl: postmark.url, timeoutSeconds: 1 },
      ...deps,
    }),
  });
  const running = worker.run();
  return {
    temporal,
    postmark,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await postmark.close();
      await temporal.close();
    },
  };
}

describe('exactly one email through Temporal retries', () => {
  let fixture: EmailWorker;
  let temporal: DevServerClients;
  let postmark: FakePostmark;
  let taskQueue: string;
  const suppressed: RecipientSuppressed[] = [];
  const logger = capturingLogger();

  beforeAll(async () => {
    fixture = await startEmailWorker(
      'email-retries',
      { inactiveRecipients: ['gone@example.com'] },
      {
        logger,
        searchSettleMs: 3_000,
        onRecipientSuppressed: (n) => {
          suppressed.push(n);
        },
      },
    );
    ({ temporal, postmark, taskQueue } = fixture);
  }, 120_000);

  afterAll(async () => {
    await fixture?.close();
  });

  function run(req: SendEmailRequest) {
    return temporal.client.workflow.execute('sendEmailWorkflow', { taskQueue, workflowId: `email-test:${req.sendKey}`, args: [req] });
  }
  const deliveredFor = (req: SendEmailRequest) => postmark.accepted.filter((m) => m.body.Metadata.sendKey === req.sendKey);
  const searchesFor = (req: SendEmailRequest) =>
    postmark.requests.filter((r) => r.path.startsWith('/messages/outbound') && r.path.includes(encodeURIComponent(req.sendKey)));

  it.each([
    ['the connection is dropped after Postmark accepted', { kind: 'drop-after-accept' }],
    ['Postmark answers 500 after accepting', { kind: 'error', status: 500, errorCode: 0, acceptFirst: true }],
    ['the answer comes after the client gave up', { kind: 'slow', delayMs: 1500 }],
  ] as [string, Fault][])('%s: one message, the retry finds it', async (_name, fault) => {
    const req = sampleAsk();
    postmark.injectFault(fault);
    const result = await run(req);
    expect(deliveredFor(req)).toHaveLength(1);
    expect(result).toMatchObject({ status: 'already-sent', transport: 'postmark', messageId: deliveredFor(req)[0].MessageID });
    expect(searchesFor(req).length).toBeGreaterThanOrEqual(1);
  });

  it("when Postmark's search lags behind, the retries wait for it instead of sending a second message", async () => {
    const req = sampleAsk();
    postmark.searchLagMs = 1_500;
    try {
      postmark.injectFault({ kind: 'drop-after-accept' });
      const result = await run(req);
      expect(deliveredFor(req)).toHaveLength(1);
      expect(result).toMatchObject({ status: 'already-sent', messageId: deliveredFor(req)[0].MessageID });
      expect(searchesFor(req).length).toBeGreaterThanOrEqual(2); // at least one lookup came back empty first
    } finally {
      postmark.searchLagMs = 0;
    }
  });

  it('a 429 (nothing accepted) is retried at once and sent once', async () => {
    const req = sampleAsk();
    postmark.injectFault({ kind: 'error', status: 429, errorCode: 429, message: 'Rate limit exceeded' });
    const result = await run(req);
    expect(result).toMatchObject({ status: 'sent', messageId: deliveredFor(req)[0].MessageID });
    expect(deliveredFor(req)).toHaveLength(1);
    expect(searchesFor(req)).toHaveLength(1); // attempt 2 looked once, found nothing, sent
  });

  it('a connection dropped before Postmark read the request: after the settle window, sent exactly once', async () => {
    const req = sampleAsk();
    postmark.injectFault({ kind: 'drop-before-accept' });
    const started = Date.now();
    const result = await run(req);
    expect(result).toMatchObject({ status: 'sent', messageId: deliveredFor(req)[0].MessageID });
    expect(deliveredFor(req)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000); // waited out searchSettleMs: the drop was ambiguous
  }, 20_000);

  it('an inactive recipient fails the step at once, without retries, and suppresses the customer', async () => {
    const req = sampleAsk({ to: 'gone@example.com', customerId: 'cust-gone' });
    const before = postmark.requests.length;
    const failure = await run(req).catch((e) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = failure.cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    expect(activityFailure.cause).toBeInstanceOf(ApplicationFailure);
    expect(activityFailure.cause).toMatchObject({ type: 'EmailInactiveRecipient', nonRetryable: true });
    expect(postmark.requests.slice(before).filter((r) => r.path === '/email')).toHaveLength(1); // one attempt only
    expect(suppressed).toEqual([
      { customerId: 'cust-gone', reason: 'inactive-recipient', journeyId: 'nps-referral', sendKey: req.sendKey },
    ]);
    expect(deliveredFor(req)).toHaveLength(0);
  });

  it('a revoked token stops at the first attempt as a configuration error', async () => {
    const req = sampleAsk();
    postmark.injectFault({ kind: 'error', status: 401, errorCode: 10, message: 'Bad or missing server token.' });
    const before = postmark.requests.length;
    const failure = await run(req).catch((e) => e);
    expect((failure.cause as ActivityFailure).cause).toMatchObject({ type: 'EmailConfigurationError', nonRetryable: true });
    expect(postmark.requests.slice(before)).toHaveLength(1);
    expect(logger.lines.some((l) => l.level === 'error' && l.msg.includes('EMAIL CONFIGURATION ERROR'))).toBe(true);
  });
});

describe('a send recorded after it was accepted', () => {
  let fixture: EmailWorker;
  let temporal: DevServerClients;
  let postmark: FakePostmark;
  let taskQueue: string;
  const notices: { sendKey: string; messageId?: string }[] = [];
  let failNextRecord = true;

  beforeAll(async () => {
    // Postmark's search shows nothing for a minute: a retry cannot find the first message there.
    fixture = await startEmailWorker(
      'email-sent',
      { searchLagMs: 60_000 },
      {
        logger: capturingLogger(),
        searchSettleMs: 2_000,
        onSent: (n) => {
          notices.push(n);
          if (failNextRecord) {
            failNextRecord = false;
            throw new Error('customer workflow unreachable');
          }
        },
      },
    );
    ({ temporal, postmark, taskQueue } = fixture);
  }, 120_000);

  afterAll(async () => {
    await fixture?.close();
  });

  it('when the onSent hook fails after Postmark accepted, the retry passes the same message and sends nothing again', async () => {
    const req = sampleAsk();
    const result = await temporal.client.workflow.execute('sendEmailWorkflow', {
      taskQueue,
      workflowId: `email-sent:${req.sendKey}`,
      args: [req],
    });
    const delivered = postmark.accepted.filter((m) => m.body.Metadata.sendKey === req.sendKey);
    expect(delivered).toHaveLength(1);
    expect(result).toMatchObject({ status: 'already-sent', messageId: delivered[0].MessageID });
    expect(notices.map((n) => n.messageId)).toEqual([delivered[0].MessageID, delivered[0].MessageID]);
  }, 30_000);
});
