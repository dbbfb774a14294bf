// Operations: liveness with a cheap Temporal call, and Prometheus metrics. Neither needs a bearer key.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { CREDENTIAL_SETTINGS, credentialsRefusal } from '../../worker/temporal-connect.ts';

export async function registerOperationRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Healthy when Temporal answers',
        tags: ['operations'],
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, temporal: { type: 'string' }, journeys: { type: 'integer' } } },
          503: { type: 'object', properties: { ok: { type: 'boolean' }, temporal: { type: 'string' }, error: { type: 'string' } } },
        },
      },
    },
    async (_req, reply) => {
      try {
        // GetSystemInfo: answered by the frontend without touching persistence.
        await ctx.client.connection.withDeadline(Date.now() + 3000, () => ctx.client.connection.workflowService.getSystemInfo({}));
        return { ok: true, temporal: 'reachable', journeys: ctx.registry.current().length };
      } catch (err) {
        ctx.metrics.temporalErrors.inc({ operation: 'healthz' });
        const refusal = credentialsRefusal(err);
        if (refusal !== undefined)
          return reply.code(503).send({
            ok: false,
            temporal: 'credentials refused',
            error: `Temporal refused the API's credentials (${CREDENTIAL_SETTINGS}): ${refusal}`,
          });
        return reply.code(503).send({ ok: false, temporal: 'unreachable', error: (err as Error).message });
      }
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } },
    async (_req, reply) => {
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
