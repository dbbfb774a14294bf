// The email activity through the real `postmark` client over real HTTP to a Postmark-compatible server:
// each answer Postmark can give leads to its outcome, and the outbox holds exactly what Postmark receives.
import type { RecipientSuppressed } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailActivities, listOutbox, type EmailDeps } from '../activities/email/index.ts';
import { startFakePostmark, type FakePostmark } from './postmark/server.ts';
import { capturingLogger, sampleAsk } from './postmark/fixtures.ts';

const TOKEN = 'server-token-5f1c2a';

describe('sendEmail through Postmark', () => {
  let postmark: FakePostmark;
  beforeAll(async () => {
    postmark = await startFakePostmark({ serverTokens: [TOKEN], inactiveRecipients: ['bounced@example.com'] });
  });
  afterAll(() => postmark.close());

  function activities(extra: Partial<EmailDeps> = {}) {
    const suppressed: RecipientSuppressed[] = [];
    const logger = capturingLogger();
    const { sendEmail } = createEmailActivities({
      dataDir: mkdtempSync(join(tmpdir(), 'email-pm-')),
      from: 'Acme <hello@acme.test>',
      logger,
      postmark: { serverToken: TOKEN, apiUrl: postmark.url, timeoutSeconds: 1 },
      onRecipientSuppressed: (n) => {
        suppressed.push(n);
      },
      ...extra,
    });
    return { sendEmail, suppressed, logger };
  }

  it('sends and returns the Postmark message id for the contact history', async () => {
    const { sendEmail } = activities();
    const req = sampleAsk();
    const result = await sendEmail(req);
    const received = postmark.accepted.find((m) => m.body.Metadata.sendKey === req.sendKey)!;
    expect(result).toMatchObject({
      status: 'sent',
      transport: 'postmark',
      messageId: received.MessageID,
      sendKey: req.sendKey,
      messageStream: 'broadcast',
    });
    expect(received.body).toMatchObject({ Tag: 'nps-referral', MessageStream: 'broadcast', Subject: 'Ada, know a team like yours?' });
  });

  it('the outbox holds exactly the body Postmark received, for local and Postmark templates', async () => {
    const outboxDir = mkdtempSync(join(tmpdir(), 'email-cmp-'));
    const viaOutbox = createEmailActivities({ dataDir: outboxDir, from: 'Acme <hello@acme.test>' });
    const { sendEmail } = activities();
    const requests = [
      sampleAsk(),
      sampleAsk({
        messageStream: 'outbound',
        unsubscribeUrl: undefined,
        template: { alias: 'referral-thank-you', model: { tier: 'gold' } },
        localTemplateBody: undefined,
      }),
    ];
    for (const req of requests) {
      await viaOutbox.sendEmail(req);
      await sendEmail(req);
    }
    const outbox = await listOutbox(outboxDir);
    expect(outbox).toHaveLength(2);
    for (const req of requests) {
      const stored = outbox.find((m) => m.sendKey === req.sendKey)!;
      const received = postmark.accepted.find((m) => m.body.Metadata.sendKey === req.sendKey)!;
      expect(stored.endpoint).toBe(received.endpoint);
      expect(stored.message).toEqual(received.body);
    }
  });

  it('an inactive recipient (ErrorCode 406) fails for good and suppresses the customer', async () => {
    const { sendEmail, suppressed, logger } = activities();
    const req = sampleAsk({ to: 'Bounced <bounced@example.com>', customerId: 'cust-bounced' });
    await expect(sendEmail(req)).rejects.toMatchObject({ type: 'EmailInactiveRecipient', nonRetryable: true });
    expect(suppressed).toEqual([
      { customerId: 'cust-bounced', reason: 'inactive-recipient', journeyId: 'nps-referral', sendKey: req.sendKey },
    ]);
    expect(logger.lines.some((l) => (l.fields as { code?: number }).code === 406)).toBe(true);
    expect(logger.text()).not.toContain('bounced@example.com');
  });

  it('an invalid address (422, ErrorCode 300) fails for good and suppresses the customer', async () => {
    const { sendEmail, suppressed, logger } = activities();
    const failure = await sendEmail(sampleAsk({ to: 'ada-at-example.com', customerId: 'cust-typo' })).catch((e) => e);
    expect(failure).toMatchObject({ type: 'EmailInvalidAddress', nonRetryable: true });
    expect(failure.message).not.toContain('ada-at-example.com');
    expect(suppressed).toMatchObject([{ customerId: 'cust-typo', reason: 'invalid-address' }]);
    expect(logger.text()).not.toContain('ada-at-example.com');
  });

  it("ErrorCode 300 about the sender (Invalid 'From' address) is a configuration error: nobody is suppressed", async () => {
    const { sendEmail, suppressed, logger } = activities({ from: '' });
    const failure = await sendEmail(sampleAsk({ customerId: 'cust-sender-mistake' })).catch((e) => e);
    expect(failure).toMatchObject({ type: 'EmailConfigurationError', nonRetryable: true });
    expect(failure.message).toContain("Invalid 'From' address");
    expect(suppressed).toEqual([]);
    expect(
      logger.lines
        .filter((l) => l.level === 'error')
        .map((l) => l.msg)
        .join(),
    ).toContain('EMAIL CONFIGURATION ERROR');
  });

  it('ErrorCode 300 for a missing body is a configuration error: nobody is suppressed', async () => {
    const { sendEmail, suppressed } = activities();
    const failure = await sendEmail(sampleAsk({ customerId: 'cust-no-body', localTemplateBody: '' })).catch((e) => e);
    expect(failure).toMatchObject({ type: 'EmailConfigurationError', nonRetryable: true });
    expect(failure.message).toContain('TextBody or HtmlBody');
    expect(suppressed).toEqual([]);
  });

  it("ErrorCode 300 naming a recipient field ('Cc') suppresses; one naming 'ReplyTo' does not", async () => {
    const { sendEmail, suppressed } = activities();
    postmark.injectFault({ kind: 'error', status: 422, errorCode: 300, message: "Error parsing 'Cc': Illegal email address 'x'." });
    await expect(sendEmail(sampleAsk({ customerId: 'cust-cc' }))).rejects.toMatchObject({ type: 'EmailInvalidAddress' });
    postmark.injectFault({ kind: 'error', status: 422, errorCode: 300, message: "Invalid 'ReplyTo' address: 'x'." });
    await expect(sendEmail(sampleAsk({ customerId: 'cust-replyto' }))).rejects.toMatchObject({ type: 'EmailConfigurationError' });
    expect(suppressed.map((n) => n.customerId)).toEqual(['cust-cc']);
  });

  it('a bad server token (401, ErrorCode 10) is a configuration error: no retry, logged loudly, token never logged', async () => {
    const { sendEmail, logger, suppressed } = activities({ postmark: { serverToken: 'wrong-token-xyz', apiUrl: postmark.url } });
    await expect(sendEmail(sampleAsk())).rejects.toMatchObject({ type: 'EmailConfigurationError', nonRetryable: true });
    const loud = logger.lines.filter((l) => l.level === 'error');
    expect(loud).toHaveLength(1);
    expect(loud[0].msg).toContain('EMAIL CONFIGURATION ERROR');
    expect(loud[0].fields).toMatchObject({ status: 401, code: 10 });
    expect(logger.text()).not.toContain('wrong-token-xyz');
    expect(suppressed).toEqual([]);
  });

  it('an unknown template alias (ErrorCode 1101) is a configuration error', async () => {
    const { sendEmail } = activities();
    postmark.injectFault({ kind: 'error', status: 422, errorCode: 1101, message: 'Template not found.' });
    await expect(sendEmail(sampleAsk())).rejects.toMatchObject({ type: 'EmailConfigurationError', nonRetryable: true });
  });

  it('any other 422 is a rejection of this message, not retried', async () => {
    const { sendEmail, suppressed } = activities();
    postmark.injectFault({ kind: 'error', status: 422, errorCode: 403, message: 'Incompatible JSON input.' });
    await expect(sendEmail(sampleAsk())).rejects.toMatchObject({ type: 'EmailRejected', nonRetryable: true });
    expect(suppressed).toEqual([]);
  });

  it.each([
    ['429 rate limited', { kind: 'error', status: 429, errorCode: 429 }],
    ['500 server error', { kind: 'error', status: 500, errorCode: 0 }],
    ['503 unavailable', { kind: 'error', status: 503, errorCode: 0 }],
    ['a slow answer past the client timeout', { kind: 'slow', delayMs: 1500 }],
    ['a connection dropped after accepting', { kind: 'drop-after-accept' }],
    ['a connection dropped before accepting', { kind: 'drop-before-accept' }],
  ] as const)('%s is retryable, logged with its code', async (_name, fault) => {
    const { sendEmail, logger, suppressed } = activities();
    postmark.injectFault(fault);
    const failure = await sendEmail(sampleAsk()).catch((e) => e);
    expect(failure).toMatchObject({ type: 'EmailTransient', nonRetryable: false });
    const warn = logger.lines.find((l) => l.level === 'warn')!;
    expect(warn.fields).toMatchObject({ status: 'status' in fault ? fault.status : 0, errorClass: 'transient' });
    expect(logger.text()).not.toContain('ada@example.com');
    expect(suppressed).toEqual([]);
  });

  it('a failing suppression hook makes the activity retry instead of losing the suppression', async () => {
    const { sendEmail } = activities({
      onRecipientSuppressed: () => {
        throw new Error('customer workflow unreachable');
      },
    });
    await expect(sendEmail(sampleAsk({ to: 'bounced@example.com' }))).rejects.toMatchObject({
      type: 'EmailTransient',
      nonRetryable: false,
    });
  });

  it('after an accepted send, the onSent hook gets the send (never the address); if it fails, the attempt is retryable', async () => {
    const notices: unknown[] = [];
    const { sendEmail } = activities({
      onSent: (n) => {
        notices.push(n);
      },
    });
    const req = sampleAsk({ customerId: 'cust-sent' });
    const result = await sendEmail(req);
    expect(notices).toEqual([
      {
        customerId: 'cust-sent',
        sendKey: req.sendKey,
        journeyId: 'nps-referral',
        step: 'invite:referral:1',
        messageId: result.messageId,
        messageStream: 'broadcast',
        template: 'templates/referral-invite.mustache',
        transport: 'postmark',
        sentAt: result.sentAt,
      },
    ]);
    const failing = activities({
      onSent: () => {
        throw new Error('customer workflow unreachable');
      },
    });
    await expect(failing.sendEmail(sampleAsk())).rejects.toMatchObject({ type: 'EmailTransient', nonRetryable: false });
  });

  it('the stand-in answers /email/batch per message and searches by metadata, like Postmark', async () => {
    const { ServerClient } = await import('postmark');
    const client = new ServerClient(TOKEN, { requestHost: new URL(postmark.url).host, useHttps: false });
    const results = await client.sendEmailBatch([
      { From: 'a@acme.test', To: 'x@example.com', Subject: 's', TextBody: 't', Metadata: { sendKey: 'batch-1' } },
      { From: 'a@acme.test', To: 'bounced@example.com', Subject: 's', TextBody: 't' },
    ]);
    expect(results.map((r) => r.ErrorCode)).toEqual([0, 406]);
    const found = await client.getOutboundMessages({ count: 10, offset: 0, metadata_sendKey: 'batch-1' });
    expect(found.TotalCount).toBe(1);
    expect(found.Messages[0].MessageID).toBe(results[0].MessageID);
  });
});
