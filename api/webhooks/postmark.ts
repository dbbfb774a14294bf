// Postmark's delivery webhooks → journey events. A hard bounce, a spam complaint or a subscription change
// (Postmark stops sending to the address) becomes an event for the customer named in the message Metadata
// the email activity set on send; the API's ingest then suppresses or opts the customer out in every journey.
// Event ids come from Postmark's own ids, so a redelivered webhook is the same event and ingest drops it.
// https://postmarkapp.com/developer/webhooks/bounce-webhook, …/spam-complaint-webhook, …/subscription-change-webhook
import type { JourneyEvent } from '../../workflows/contract/index.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EventProblem, EventResult } from '../ingest.ts';

export interface PostmarkWebhookOptions {
  basicAuth: { username: string; password: string };
  /** The API's event ingest (idempotent by event id): throws when the event could not be taken now (then 503). */
  ingest: (event: JourneyEvent) => Promise<EventResult>;
  /** Route path; default `/v1/webhooks/postmark` (or `/webhooks/postmark` inside a `/v1`-prefixed scope). */
  path?: string;
}

/** Bounce types after which Postmark will never deliver to the address again. */
const HARD_BOUNCE_TYPES = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);

/** The fields of Postmark's bounce, spam-complaint and subscription-change webhooks this route reads. */
interface PostmarkPayload {
  RecordType?: string;
  Type?: string;
  ID?: string | number;
  MessageID?: string;
  MessageStream?: string;
  Metadata?: { customer?: string; journey?: string; sendKey?: string; [key: string]: unknown };
  BouncedAt?: string;
  ChangedAt?: string;
  Inactive?: boolean;
  SuppressSending?: boolean;
  SuppressionReason?: string;
  [key: string]: unknown;
}

export type WebhookOutcome =
  { status: 'event'; event: JourneyEvent } | { status: 'ignored'; reason: string } | { status: 'unmatched'; reason: string };

function customerOf(payload: PostmarkPayload): string | undefined {
  const customer = payload.Metadata?.customer;
  // A digest (customer ids over Postmark's 80-character limit) cannot be mapped back.
  if (typeof customer !== 'string' || customer === '' || customer.startsWith('sha256:')) return undefined;
  return customer;
}

function eventFor(payload: PostmarkPayload, type: string, id: string, occurredAt: unknown, data: Record<string, unknown>): WebhookOutcome {
  const customerId = customerOf(payload);
  if (!customerId) return { status: 'unmatched', reason: `no customer in the message Metadata (MessageID ${payload.MessageID ?? 'none'})` };
  const context = {
    messageId: payload.MessageID,
    messageStream: payload.MessageStream,
    ...(payload.Metadata?.journey ? { journeyId: payload.Metadata.journey } : {}),
    ...(payload.Metadata?.sendKey ? { sendKey: payload.Metadata.sendKey } : {}),
  };
  return {
    status: 'event',
    event: {
      id,
      type,
      customerId,
      occurredAt: typeof occurredAt === 'string' && occurredAt ? occurredAt : new Date().toISOString(),
      data: { ...context, ...data },
    },
  };
}

/** What one Postmark webhook payload means for the journeys; pure, so it is tested on its own. */
export function mapPostmarkWebhook(payload: PostmarkPayload): WebhookOutcome {
  switch (payload?.RecordType) {
    case 'Bounce': {
      if (payload.Type === 'SpamComplaint') {
        return eventFor(payload, 'email.spam_complaint', `postmark:spam:${payload.ID}`, payload.BouncedAt, {});
      }
      if (!HARD_BOUNCE_TYPES.has(payload.Type ?? '') && payload.Inactive !== true) {
        return { status: 'ignored', reason: `bounce type ${payload.Type} is not permanent` };
      }
      return eventFor(payload, 'email.bounced', `postmark:bounce:${payload.ID}`, payload.BouncedAt, { bounceType: String(payload.Type) });
    }
    case 'SpamComplaint':
      return eventFor(payload, 'email.spam_complaint', `postmark:spam:${payload.ID}`, payload.BouncedAt, {});
    case 'SubscriptionChange': {
      if (payload.SuppressSending !== true) return { status: 'ignored', reason: 'reactivation: nothing to suppress' };
      // Same MessageID + ChangedAt on redelivery; a later change for the same message is a new event.
      const id = `postmark:subscription:${payload.MessageID}:${payload.ChangedAt}`;
      if (payload.SuppressionReason === 'HardBounce') {
        return eventFor(payload, 'email.bounced', id, payload.ChangedAt, { bounceType: 'HardBounce' });
      }
      if (payload.SuppressionReason === 'SpamComplaint') return eventFor(payload, 'email.spam_complaint', id, payload.ChangedAt, {});
      return eventFor(payload, 'customer.opted_out', id, payload.ChangedAt, {
        source: 'postmark',
        reason: String(payload.SuppressionReason ?? 'ManualSuppression'),
      });
    }
    default:
      return { status: 'ignored', reason: `record type ${String(payload?.RecordType)} is not handled` };
  }
}

/** Where in Postmark's payload an event field came from (eventFor above), so a refusal names the field Postmark sent. */
const PAYLOAD_FIELD: Record<string, string> = {
  '/customerId': '/Metadata/customer',
  '/id': '/ID',
  '/occurredAt': '/BouncedAt',
  '/data/journeyId': '/Metadata/journey',
  '/data/sendKey': '/Metadata/sendKey',
  '/data/messageId': '/MessageID',
};
function payloadPointer(eventPointer: EventProblem['pointer']): string {
  return PAYLOAD_FIELD[eventPointer] ?? eventPointer;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time check of `Authorization: Basic …`: both sides hashed to equal length, both parts always compared. */
export function basicAuthMatches(header: string | undefined, expected: { username: string; password: string }): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const sep = decoded.indexOf(':');
  const user = sep < 0 ? '' : decoded.slice(0, sep);
  const pass = sep < 0 ? '' : decoded.slice(sep + 1);
  const userOk = timingSafeEqual(digest(user), digest(expected.username));
  const passOk = timingSafeEqual(digest(pass), digest(expected.password));
  return sep >= 0 && userOk && passOk;
}

export async function registerPostmarkWebhooks(app: FastifyInstance, opts: PostmarkWebhookOptions): Promise<void> {
  if (!opts.basicAuth?.username || !opts.basicAuth?.password) {
    throw new Error('registerPostmarkWebhooks: basicAuth username and password are required');
  }
  const path = opts.path ?? (app.prefix.endsWith('/v1') ? '/webhooks/postmark' : '/v1/webhooks/postmark');
  // An encapsulated scope, so the JSON parser below applies to this route only.
  await app.register(async (scope) => {
    // Postmark's bounce `ID` is a 64-bit integer (e.g. 4323372036854775807): JSON.parse would round it and two
    // bounces could share an event id. Read every `"ID": <digits>` as a string before parsing.
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body).replace(/"ID"\s*:\s*(-?\d+)/g, '"ID":"$1"')));
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    });
    registerRoute(scope, path, opts);
  });
}

function registerRoute(app: FastifyInstance, path: string, opts: PostmarkWebhookOptions): void {
  app.post(
    path,
    {
      schema: {
        summary: 'Postmark webhooks: hard bounce, spam complaint, subscription change',
        tags: ['webhooks'],
        security: [{ postmarkBasic: [] }],
      },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      if (!basicAuthMatches(req.headers.authorization, opts.basicAuth)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Basic realm="postmark-webhooks"')
          .send({
            error: 'unauthorized',
            message: 'basic auth required (the webhook credentials set in Postmark)',
            errors: [{ in: 'header', pointer: '/authorization', message: 'not the webhook credentials set in Postmark' }],
            requestId: req.id,
          });
      }
      const outcome = mapPostmarkWebhook((req.body ?? {}) as PostmarkPayload);
      if (outcome.status === 'unmatched') {
        // Not ours (or sent before metadata): answering 2xx stops Postmark from retrying something we can never map.
        req.log.warn({ recordType: (req.body as PostmarkPayload)?.RecordType }, `postmark webhook unmatched: ${outcome.reason}`);
        return reply.code(202).send({ status: 'unmatched', note: outcome.reason });
      }
      if (outcome.status === 'ignored') return reply.code(200).send({ status: 'ignored', note: outcome.reason });
      let result: EventResult;
      try {
        result = await opts.ingest(outcome.event);
      } catch (err) {
        // Temporal unreachable or similar: a 503 makes Postmark redeliver later; the event id keeps that idempotent.
        req.log.error({ eventId: outcome.event.id, err: (err as Error).message }, 'postmark webhook ingest failed');
        return reply
          .code(503)
          .header('retry-after', '60')
          .send({
            error: 'temporal_unavailable',
            message: 'could not record the event; Postmark will retry',
            errors: [{ pointer: '', message: 'not recorded yet' }],
            requestId: req.id,
          });
      }
      if (result.status === 'rejected') {
        // Redelivering the same payload can never succeed: a 4xx that says which field of Postmark's payload is at fault.
        const errors = result.errors.map((e) => ({ ...e, pointer: payloadPointer(e.pointer) }));
        req.log.warn({ eventId: outcome.event.id, errors }, 'postmark webhook refused');
        return reply.code(result.reason === 'conflict' ? 409 : 422).send({
          error: result.reason === 'conflict' ? 'conflict' : 'invalid_webhook',
          message: errors.map((e) => `${e.pointer}: ${e.message}`).join('; '),
          errors,
          requestId: req.id,
        });
      }
      return reply.code(200).send({ status: 'accepted', eventId: outcome.event.id, type: outcome.event.type, result });
    },
  );
}
