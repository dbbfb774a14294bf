// Outside services calling in with their own credentials (Postmark: basic auth), and the embedded outbox.
import type { FastifyInstance } from 'fastify';
import { listOutbox } from '../../activities/outbox.ts';
import { registerPostmarkWebhooks } from '../webhooks/postmark.ts';
import type { ApiContext } from '../context.ts';
import { bearerRoute, anyObject, errorResponses } from '../schemas.ts';

export async function registerWebhookRoutes(app: FastifyInstance, ctx: ApiContext) {
  // The email module owns the webhook (Postmark payloads → bounce / complaint / opt-out events into the same
  // idempotent ingest). Without credentials the route does not exist (404), so nobody can post unauthenticated.
  if (ctx.opts.postmark) {
    await registerPostmarkWebhooks(app, {
      basicAuth: ctx.opts.postmark.basicAuth,
      ingest: (event) => ctx.ingest.ingest(event),
      path: '/webhooks/postmark',
    });
  }

  app.get(
    '/outbox',
    bearerRoute('read', 'email', {
      summary: 'Messages the embedded email transport wrote instead of sending',
      response: { 200: { type: 'object', properties: { messages: { type: 'array', items: anyObject } } }, ...errorResponses(401, 403) },
    }),
    async () => ({ messages: await listOutbox(ctx.dataDir) }),
  );
}
