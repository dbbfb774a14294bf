// With no POSTMARK_SERVER_TOKEN, an ask lands in the local outbox: exactly the request Postmark would get.
import type { SendEmailRequest } from '../workflows/contract/index.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailActivities, emailDepsFromEnv, listOutbox } from '../activities/email/index.ts';
import { DEV_UNSUBSCRIBE_SECRET, unsubscribeToken } from '../activities/email/unsubscribe-link.ts';

const inviteTemplate = readFileSync(new URL('../definitions/templates/referral-invite.mustache', import.meta.url), 'utf8');

function ask(overrides: Partial<SendEmailRequest> = {}): SendEmailRequest {
  return {
    sendKey: 'journey:nps-referral:cust-1:invite:referral:1',
    customerId: 'cust-1',
    journeyId: 'nps-referral',
    journeyVersion: 3,
    step: 'invite:referral:1',
    to: 'ada@example.com',
    template: { file: 'templates/referral-invite.mustache', subject: '{{traits.firstName}}, know a team like {{traits.company}}?' },
    localTemplateBody: inviteTemplate,
    model: {
      traits: { firstName: 'Ada', company: 'Analytical & Co' },
      model: { productName: 'Acme', friendOffer: '20% off', advocateOffer: 'a $100 credit' },
      actionLink: 'https://acme.test/r/ADA42?utm_source=journey&utm_medium=email',
      unsubscribeLink: 'https://acme.test/unsub/abc',
    },
    messageStream: 'broadcast',
    unsubscribeUrl: 'https://acme.test/unsub/abc',
    ...overrides,
  };
}

const UNSUB_TOKEN = unsubscribeToken(DEV_UNSUBSCRIBE_SECRET, 'cust-1', 'nps-referral');
const UNSUB_URL = `http://127.0.0.1:3000/u/${UNSUB_TOKEN}`;

function outboxActivities() {
  const dataDir = mkdtempSync(join(tmpdir(), 'email-outbox-'));
  return { dataDir, ...createEmailActivities({ dataDir, from: 'Acme <hello@acme.test>' }) };
}

describe('the outbox transport (no POSTMARK_SERVER_TOKEN)', () => {
  it('is what the environment picks when no token is set, and Postmark when one is', () => {
    expect(emailDepsFromEnv('/d', {}).postmark).toBeUndefined();
    const real = { POSTMARK_SERVER_TOKEN: 'tok', POSTMARK_API_URL: 'http://127.0.0.1:9', JOURNEY_EMAIL_FROM: 'a@b.test' };
    expect(
      emailDepsFromEnv('/d', {
        ...real,
        JOURNEY_PUBLIC_URL: 'https://journeys.b.test/',
        JOURNEY_UNSUBSCRIBE_SECRET: 'a-secret-of-some-length',
      }),
    ).toEqual({
      dataDir: '/d',
      from: 'a@b.test',
      postmark: { serverToken: 'tok', apiUrl: 'http://127.0.0.1:9' },
      unsubscribe: { publicUrl: 'https://journeys.b.test', secret: 'a-secret-of-some-length', mailbox: 'unsubscribe@b.test' },
    });
  });

  it('refuses real sending without a public https URL and a secret for the unsubscribe links', () => {
    const real = { POSTMARK_SERVER_TOKEN: 'tok', JOURNEY_UNSUBSCRIBE_SECRET: 'a-secret-of-some-length' };
    expect(() => emailDepsFromEnv('/d', real)).toThrow(/JOURNEY_PUBLIC_URL is not set/);
    expect(() => emailDepsFromEnv('/d', { ...real, JOURNEY_PUBLIC_URL: 'http://journeys.b.test' })).toThrow(/must be an https URL/);
    expect(() => emailDepsFromEnv('/d', { POSTMARK_SERVER_TOKEN: 'tok', JOURNEY_PUBLIC_URL: 'https://j.b.test' })).toThrow(
      /JOURNEY_UNSUBSCRIBE_SECRET/,
    );
    // JOURNEY_DEV_MODE=1 (and the outbox) take the local API and the dev secret.
    expect(emailDepsFromEnv('/d', { POSTMARK_SERVER_TOKEN: 'tok', JOURNEY_DEV_MODE: '1' }).unsubscribe?.publicUrl).toBe(
      'http://127.0.0.1:3000',
    );
  });

  it('renders a local Mustache template into the /email body Postmark would receive', async () => {
    const { dataDir, sendEmail } = outboxActivities();
    const result = await sendEmail(ask());
    expect(result).toMatchObject({ status: 'sent', transport: 'outbox', sendKey: ask().sendKey, messageStream: 'broadcast' });

    const [stored] = await listOutbox(dataDir);
    expect(stored.id).toBe(result.messageId);
    expect(stored.endpoint).toBe('/email');
    expect(stored.message).toEqual({
      From: 'Acme <hello@acme.test>',
      To: 'ada@example.com',
      Subject: 'Ada, know a team like Analytical & Co?', // subjects are not HTML-escaped
      HtmlBody: expect.stringContaining('Hi Ada,'),
      MessageStream: 'broadcast',
      Tag: 'nps-referral',
      Metadata: { journey: 'nps-referral', version: '3', customer: 'cust-1', step: 'invite:referral:1', sendKey: ask().sendKey },
      // The signed one-click link to the API, and a mailto (RFC 8058), whatever URL the request carried.
      Headers: [
        { Name: 'List-Unsubscribe', Value: `<${UNSUB_URL}>, <mailto:unsubscribe@acme.test?subject=unsubscribe%20${UNSUB_TOKEN}>` },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ],
    });
    const html = (stored.message as { HtmlBody: string }).HtmlBody;
    expect(html).toContain('Analytical &amp; Co does'); // HTML bodies are escaped like Postmark's own Mustache
    expect(html).toContain('href="https://acme.test/r/ADA42?utm_source=journey&amp;utm_medium=email"');
    expect(html).not.toContain('{{');
    expect(html).toContain(`href="${UNSUB_URL}"`); // {{unsubscribeLink}} is the same signed link
  });

  it('keeps text templates unescaped', async () => {
    const { dataDir, sendEmail } = outboxActivities();
    await sendEmail(ask({ template: { file: 'templates/t.mustache', subject: 'Hi' }, localTemplateBody: 'Link: {{actionLink}}' }));
    const [stored] = await listOutbox(dataDir);
    expect(stored.message).toMatchObject({ TextBody: 'Link: https://acme.test/r/ADA42?utm_source=journey&utm_medium=email' });
    expect(stored.message).not.toHaveProperty('HtmlBody');
  });

  it('records a Postmark template send as alias + model, on the outbound stream without List-Unsubscribe', async () => {
    const { dataDir, sendEmail } = outboxActivities();
    await sendEmail(
      ask({
        sendKey: 'journey:nps-referral:cust-1:thanks:1',
        step: 'thanks:1',
        messageStream: 'outbound',
        unsubscribeUrl: undefined,
        template: { alias: 'referral-thank-you', model: { productName: 'Acme' } },
        localTemplateBody: undefined,
        model: { traits: { firstName: 'Ada' } },
      }),
    );
    const [stored] = await listOutbox(dataDir);
    expect(stored.endpoint).toBe('/email/withTemplate');
    expect(stored.message).toEqual({
      From: 'Acme <hello@acme.test>',
      To: 'ada@example.com',
      MessageStream: 'outbound',
      Tag: 'nps-referral',
      Metadata: {
        journey: 'nps-referral',
        version: '3',
        customer: 'cust-1',
        step: 'thanks:1',
        sendKey: 'journey:nps-referral:cust-1:thanks:1',
      },
      TemplateAlias: 'referral-thank-you',
      TemplateModel: { productName: 'Acme', traits: { firstName: 'Ada' } },
    });
    expect(stored).toMatchObject({ templateAlias: 'referral-thank-you', subject: undefined, to: 'ada@example.com' });
  });

  it('writes once per send key, however often the activity runs', async () => {
    const { dataDir, sendEmail } = outboxActivities();
    const results = await Promise.all([sendEmail(ask()), sendEmail(ask()), sendEmail(ask())]);
    await sendEmail(ask());
    expect(results.map((r) => r.status).sort()).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await listOutbox(dataDir)).toHaveLength(1);
    expect(readdirSync(join(dataDir, 'outbox'))).toHaveLength(1); // no temporary files left behind
  });

  it('fits a long send key into Postmark’s 80-character metadata limit', async () => {
    const { dataDir, sendEmail } = outboxActivities();
    const sendKey = `journey:${'j'.repeat(60)}:cust-1:invite:referral:1`;
    await sendEmail(ask({ sendKey }));
    const [stored] = await listOutbox(dataDir);
    expect(stored.sendKey).toBe(sendKey);
    expect(stored.message.Metadata.sendKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.values(stored.message.Metadata).every((v) => v.length <= 80)).toBe(true);
  });

  it('fails without retry when a local template has no body pinned', async () => {
    const { sendEmail } = outboxActivities();
    await expect(sendEmail(ask({ localTemplateBody: undefined }))).rejects.toMatchObject({
      type: 'EmailConfigurationError',
      nonRetryable: true,
    });
  });
});

describe('journey outbox (the CLI)', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['cli/journey.mjs', 'outbox', ...args], { cwd: new URL('..', import.meta.url).pathname });

  it('lists the messages and shows one by id prefix or send key', async () => {
    const { dataDir, sendEmail } = outboxActivities();
    const { messageId } = await sendEmail(ask());
    const list = await run('list', '--data-dir', dataDir);
    expect(list.stdout).toContain(messageId!.slice(0, 12));
    expect(list.stdout).toContain('Ada, know a team like Analytical & Co?');
    expect(list.stdout).toContain('1 message;');
    // `journey outbox` alone lists too (it used to print help and exit 1), with the folder as an option or from the env.
    expect((await run('--data-dir', dataDir)).stdout).toBe(list.stdout);
    const bare = await promisify(execFile)(process.execPath, ['cli/journey.mjs', 'outbox'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, JOURNEY_DATA_DIR: dataDir },
    });
    expect(bare.stdout).toBe(list.stdout);

    const json = JSON.parse((await run('list', '--data-dir', dataDir, '--json')).stdout);
    expect(json.messages).toEqual(await listOutbox(dataDir));

    const shown = await run('show', messageId!.slice(0, 8), '--data-dir', dataDir);
    expect(shown.stdout).toContain(`List-Unsubscribe: <${UNSUB_URL}>`);
    expect(shown.stdout).toContain('Hi Ada,');
    const byKey = JSON.parse((await run('show', ask().sendKey, '--data-dir', dataDir, '--json')).stdout);
    expect(byKey.id).toBe(messageId);
  }, 90_000);

  it('fails with a clear message for an unknown id', async () => {
    const { dataDir } = outboxActivities();
    const failure = await run('show', 'nope', '--data-dir', dataDir).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('No outbox message "nope"');
  }, 30_000);
});
