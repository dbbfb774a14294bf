// The HTTP API for backend services and operators, everything under /v1, described by an OpenAPI 3.1 document
// built from the route schemas (/openapi.json, docs page at /docs). Each area lives in its own module in routes/.
import Fastify, { type FastifyInstance, type FastifyError, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import { findApiKey, type Scope } from './auth.ts';
import { EventIngest, EventNotTaken, InFlightLimit } from './ingest.ts';
import { createApiMetrics } from './metrics.ts';
import { apiLoggerOptions } from './logging.ts';
import { createCatalogEventValidator } from './event-validator.ts';
import { validateDefinitionBody } from './definition-validator.ts';
import { registerBodyDepthLimit } from './body-depth.ts';
import { addTraitFormats } from './trait-formats.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerCustomerRoutes } from './routes/customers.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerDefinitionRoutes } from './routes/definitions.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { createTrackedEventWriter } from './tracked-events.ts';
import { loadCatalog } from '../definitions/loader.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerUnsubscribeRoutes } from './routes/unsubscribe.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import type { ApiContext, ApiOptions } from './context.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a bearer key needs for this route; routes without one take no bearer key. */
    scope?: Scope;
  }
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? apiLoggerOptions() : false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 5 * 1024 * 1024,
    // No route has a regex parameter (what find-my-way's 100-character default guards against): an id of any length
    // reaches the route's schema, which answers 400 naming the parameter instead of a 414 echoing the whole path.
    routerOptions: { maxParamLength: 16 * 1024 },
    // Errors the router raises before any route runs, in the same shape as every other error.
    frameworkErrors: (err, req, reply: FastifyReply) => {
      void reply.code(400).send({
        error: 'invalid_request',
        message: err.code === 'FST_ERR_BAD_URL' ? 'the URL path is not valid percent-encoding' : 'the URL path is not valid',
        errors: [{ pointer: '/', message: err.code === 'FST_ERR_BAD_URL' ? 'invalid percent-encoding in the path' : 'invalid path' }],
        requestId: req.id,
      });
    },
    // Validate what is sent, never repair it: no silent stripping of unknown fields, no type coercion.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true },
      plugins: [addTraitFormats],
    },
  });
  const metrics = createApiMetrics({ defaultMetrics: opts.logger === true });
  const ctx: ApiContext = {
    client: opts.client,
    taskQueue: opts.taskQueue,
    registry: opts.registry,
    metrics,
    dataDir: opts.dataDir,
    opts: { ...opts, validateDefinition: opts.validateDefinition ?? validateDefinitionBody },
    limit: new InFlightLimit(opts.maxInFlightEvents ?? 2000),
    temporalCallTimeoutMs: opts.temporalCallTimeoutMs ?? 10_000,
    customerDefaults: opts.customerDefaults ?? {},
    ingest: new EventIngest({
      client: opts.client,
      taskQueue: opts.taskQueue,
      registry: opts.registry,
      validate: opts.validateEvent ?? createCatalogEventValidator(),
      customerDefaults: opts.customerDefaults,
      referralCodeSecret: opts.referralCodeSecret,
      routeTimeoutMs: opts.temporalCallTimeoutMs ?? 10_000,
      recordTracked: createTrackedEventWriter(opts.dataDir, loadCatalog(), opts.referralCodeSecret),
      onAccepted: (e) => {
        metrics.eventsAccepted.inc({ type: e.type });
        opts.eventLog?.append(e);
      },
      onRejected: (type, reason) => metrics.rejectEvents(type, reason),
      onTemporalError: (operation) => metrics.temporalErrors.inc({ operation }),
    }),
  };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'journey-engine API',
        version: '1',
        description: 'Events in, journey state and operator actions out. See docs/api.md.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' }, postmarkBasic: { type: 'http', scheme: 'basic' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const scope = req.routeOptions.config.scope;
    if (!scope) return;
    const key = findApiKey(req.headers.authorization, opts.apiKeys);
    if (!key)
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <api key>', requestId: req.id });
    if (!key.scopes.has(scope))
      return reply.code(403).send({ error: 'forbidden', message: `this key lacks the "${scope}" scope`, requestId: req.id });
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.requestDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      const where = err.validationContext ?? 'body';
      return reply.code(400).send({
        error: 'invalid_request',
        requestId: req.id,
        message: `the ${where} is invalid: ${err.validation.map((v) => `${v.instancePath || '/'} ${v.message}`).join('; ')}`,
        errors: err.validation.map((v) => ({
          pointer: `${v.instancePath}${v.keyword === 'required' ? `/${(v.params as { missingProperty: string }).missingProperty}` : ''}${v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty: string }).additionalProperty}` : ''}`,
          message: v.message ?? 'invalid',
        })),
      });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send({ error: 'payload_too_large', message: err.message, requestId: req.id });
    // An event Temporal did not take (EventNotTaken) is 503, so the sender sends it again; never a 2xx, never a 500.
    if (err instanceof EventNotTaken) {
      return reply.code(503).header('retry-after', '1').send({ error: 'temporal_unavailable', message: err.message, requestId: req.id });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({
      error: status === 500 ? 'internal' : (err.code ?? 'bad_request').toLowerCase(),
      message: status === 500 ? 'internal error; see the log for this request id' : err.message,
      requestId: req.id,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, requestId: req.id }),
  );

  registerBodyDepthLimit(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerOperationRoutes(app, ctx);
  await registerUnsubscribeRoutes(app, ctx);
  await app.register(
    async (v1) => {
      await registerEventRoutes(v1, ctx);
      await registerCustomerRoutes(v1, ctx);
      await registerRunRoutes(v1, ctx);
      await registerDefinitionRoutes(v1, ctx);
      await registerReportRoutes(v1, ctx);
      await registerWebhookRoutes(v1, ctx);
    },
    { prefix: '/v1' },
  );
  return app;
}
