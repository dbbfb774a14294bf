// Outside services calling in with their own credentials (Postmark: basic auth), and the embedded outbox.
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { listOutbox } from '../../activities/outbox.ts';
import type { ApiContext } from '../server.ts';
import { anyObject, bearer, errorResponses } from '../schemas.ts';

export interface PostmarkWebhookConfig {
  basicAuth: { username: string; password: string };
}

const postmarkModule = new URL('../webhooks/postmark.ts', import.meta.url);

export async function registerWebhookRoutes(app: FastifyInstance, ctx: ApiContext) {
  // The email module owns the webhook (parsing Postmark's payloads into bounce / complaint events); mounted when
  // present and configured, so the API builds before and without it.
  if (ctx.opts.postmark && existsSync(postmarkModule)) {
    const { registerPostmarkWebhooks } = await import(postmarkModule.href);
    await registerPostmarkWebhooks(app, { basicAuth: ctx.opts.postmark.basicAuth, ingest: (event: Parameters<typeof ctx.ingest.ingest>[0]) => ctx.ingest.ingest(event) });
  } else {
    app.post('/webhooks/postmark', { schema: { summary: 'Postmark delivery webhooks (bounce, spam complaint)', tags: ['webhooks'], security: [{ postmarkBasic: [] }], response: errorResponses(501) } },
      async (req, reply) => reply.code(501).send({
        error: 'not_implemented',
        message: ctx.opts.postmark ? 'the Postmark webhook module is not in this build yet' : 'the Postmark webhook is off: set JOURNEY_POSTMARK_WEBHOOK_USER and JOURNEY_POSTMARK_WEBHOOK_PASSWORD',
        requestId: req.id,
      }));
  }

  app.get('/outbox', {
    config: { scope: 'read' },
    schema: {
      summary: 'Messages the embedded email transport wrote instead of sending', tags: ['email'], security: bearer,
      response: { 200: { type: 'object', properties: { messages: { type: 'array', items: anyObject } } }, ...errorResponses(401, 403) },
    },
  }, async () => ({ messages: await listOutbox(ctx.dataDir) }));
}
