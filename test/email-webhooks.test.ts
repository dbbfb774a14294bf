// Postmark's webhooks: basic auth, hard bounce / spam complaint / subscription change → journey events for
// the customer in the message Metadata, unmatched payloads answered 202, redelivery yields the same event.
import type { JourneyEvent } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerPostmarkWebhooks } from '../api/webhooks/postmark.ts';
import type { EventResult } from '../api/ingest.ts';

// The mapping is tested here with a recording ingest; test/api/webhook-faults.test.ts runs the real one.
const accepted = (e: JourneyEvent): EventResult => ({
  id: e.id,
  status: 'accepted',
  duplicate: false,
  journeys: [],
  customer: { workflowId: `customer:${e.customerId}`, outcome: 'signalled' },
});

const auth = { username: 'postmark', password: 's3cret-hook' };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const metadata = {
  journey: 'nps-referral',
  version: '2',
  customer: 'cust-7',
  step: 'invite:referral:1',
  sendKey: 'journey:nps-referral:cust-7:invite:referral:1',
};

const hardBounce = {
  RecordType: 'Bounce',
  MessageStream: 'broadcast',
  ID: 4323372036854775, // a safe integer here; the 64-bit ID goes out as raw JSON (hardBounceJson)
  Type: 'HardBounce',
  TypeCode: 1,
  Name: 'Hard bounce',
  Tag: 'nps-referral',
  MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
  Metadata: metadata,
  ServerID: 23,
  Description: 'The server was unable to deliver your message',
  Email: 'ada@example.com',
  From: 'hello@acme.test',
  BouncedAt: '2026-11-05T16:33:54.9070259Z',
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: 'Hi',
};
// Postmark's bounce ID is a 64-bit integer: sent as raw JSON so the number is exactly what Postmark writes.
const hardBounceJson = JSON.stringify({ ...hardBounce, ID: '@ID@' }).replace('"@ID@"', '4323372036854775807');
const spamComplaint = { ...hardBounce, RecordType: 'SpamComplaint', ID: 42, Type: 'SpamComplaint', TypeCode: 512 };
const unsubscribed = {
  RecordType: 'SubscriptionChange',
  MessageID: '00000000-1111-2222-3333-444444444444',
  ServerID: 23,
  MessageStream: 'broadcast',
  ChangedAt: '2026-11-06T10:53:34.416071Z',
  Recipient: 'ada@example.com',
  Origin: 'Recipient',
  SuppressSending: true,
  SuppressionReason: 'ManualSuppression',
  Tag: 'nps-referral',
  Metadata: metadata,
};

describe('POST /v1/webhooks/postmark', () => {
  let app: FastifyInstance;
  const ingested: JourneyEvent[] = [];
  let failIngest = false;

  beforeAll(async () => {
    app = Fastify();
    await registerPostmarkWebhooks(app, {
      basicAuth: auth,
      ingest: async (event) => {
        if (failIngest) throw new Error('temporal unreachable');
        ingested.push(event);
        return accepted(event);
      },
    });
  });
  afterAll(() => app.close());

  const post = (payload: object | string, authorization = basic(auth.username, auth.password)) =>
    app.inject({ method: 'POST', url: '/v1/webhooks/postmark', headers: { authorization, 'content-type': 'application/json' }, payload });

  it.each([
    ['no credentials', ''],
    ['a wrong password', basic('postmark', 's3cret-hooK')],
    ['a wrong user', basic('postmarx', 's3cret-hook')],
    ['a bearer token', 'Bearer s3cret-hook'],
  ])('refuses %s with 401 and ingests nothing', async (_name, authorization) => {
    const before = ingested.length;
    const res = await post(hardBounce, authorization);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Basic');
    expect(ingested.length).toBe(before);
  });

  it('turns a hard bounce into email.bounced for the customer in the Metadata', async () => {
    const res = await post(hardBounceJson);
    expect(res.statusCode).toBe(200);
    expect(ingested.at(-1)).toEqual({
      id: 'postmark:bounce:4323372036854775807',
      type: 'email.bounced',
      customerId: 'cust-7',
      occurredAt: hardBounce.BouncedAt,
      data: {
        messageId: hardBounce.MessageID,
        messageStream: 'broadcast',
        journeyId: 'nps-referral',
        sendKey: metadata.sendKey,
        bounceType: 'HardBounce',
      },
    });
    expect(JSON.stringify(ingested.at(-1))).not.toContain('ada@example.com'); // the address stays with Postmark
  });

  it('a redelivered bounce is the same event (same id), so ingest drops it', async () => {
    await post(hardBounceJson);
    await post(hardBounceJson);
    // A different bounce whose ID differs only past double precision is a different event.
    await post(hardBounceJson.replace('4323372036854775807', '4323372036854775806'));
    const ids = ingested.filter((e) => e.type === 'email.bounced').map((e) => e.id);
    expect(new Set(ids)).toEqual(new Set(['postmark:bounce:4323372036854775807', 'postmark:bounce:4323372036854775806']));
  });

  it('maps a spam complaint to email.spam_complaint', async () => {
    const res = await post(spamComplaint);
    expect(res.json()).toMatchObject({ status: 'accepted', eventId: 'postmark:spam:42', type: 'email.spam_complaint' });
    expect(ingested.at(-1)).toMatchObject({ type: 'email.spam_complaint', customerId: 'cust-7' });
  });

  it('maps a suppressing subscription change to customer.opted_out', async () => {
    await post(unsubscribed);
    expect(ingested.at(-1)).toMatchObject({
      id: `postmark:subscription:${unsubscribed.MessageID}:${unsubscribed.ChangedAt}`,
      type: 'customer.opted_out',
      customerId: 'cust-7',
      occurredAt: unsubscribed.ChangedAt,
      data: { source: 'postmark', reason: 'ManualSuppression' },
    });
  });

  it('ignores soft bounces and reactivations with a 200 and a note', async () => {
    const before = ingested.length;
    const soft = await post({ ...hardBounce, ID: 7, Type: 'SoftBounce', TypeCode: 4096, Inactive: false });
    const reactivated = await post({ ...unsubscribed, SuppressSending: false });
    expect([soft.statusCode, reactivated.statusCode]).toEqual([200, 200]);
    expect(soft.json()).toMatchObject({ status: 'ignored' });
    expect(ingested.length).toBe(before);
  });

  it('answers 202 "unmatched", never 5xx, when the message carries no customer', async () => {
    const before = ingested.length;
    const res = await post({ ...hardBounce, ID: 8, Metadata: {} });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'unmatched', note: expect.stringContaining('no customer') });
    const garbage = await post({ hello: 'world' });
    expect(garbage.statusCode).toBeLessThan(300);
    expect(ingested.length).toBe(before);
  });

  it('answers 503 when the event cannot be recorded, so Postmark redelivers', async () => {
    failIngest = true;
    try {
      expect((await post({ ...hardBounce, ID: 9 })).statusCode).toBe(503);
    } finally {
      failIngest = false;
    }
  });

  it('mounts at /webhooks/postmark inside the API’s /v1 scope', async () => {
    const api = Fastify();
    const seen: JourneyEvent[] = [];
    await api.register(async (v1) => registerPostmarkWebhooks(v1, { basicAuth: auth, ingest: async (e) => (seen.push(e), accepted(e)) }), {
      prefix: '/v1',
    });
    const res = await api.inject({
      method: 'POST',
      url: '/v1/webhooks/postmark',
      headers: { authorization: basic(auth.username, auth.password) },
      payload: spamComplaint,
    });
    expect(res.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
    await api.close();
  });
});
