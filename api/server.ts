// The HTTP API for backend services and operators, everything under /v1, described by an OpenAPI 3.1 document
// built from the route schemas (/openapi.json, docs page at /docs). Each area lives in its own module in routes/.
import Fastify, { type FastifyInstance, type FastifyError, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import { findApiKey, type Scope } from './auth.ts';
import { EventIngest, EventNotTaken, InFlightLimit } from './ingest.ts';
import { createApiMetrics } from './metrics.ts';
import { CredentialsRefusalLog } from './credentials-refusal.ts';
import { apiLoggerOptions } from './logging.ts';
import { createCatalogEventValidator } from './event-validator.ts';
import { validateDefinitionBody } from './definition-validator.ts';
import { registerBodyDepthLimit } from './body-depth.ts';
import { addTraitFormats } from './trait-formats.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerCustomerRoutes } from './routes/customers.ts';
import { registerPromptRoutes } from './routes/prompts.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerDefinitionRoutes } from './routes/definitions.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { createTrackedEventWriter } from './tracked-events.ts';
import { loadCatalog } from '../definitions/loader.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerUnsubscribeRoutes } from './routes/unsubscribe.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { registerPageRoutes } from './pages/index.ts';
import { registerCodecRoutes } from './routes/codec.ts';
import {
  MethodTable,
  authorizationProblem,
  clientErrorHandler,
  errorBody,
  frameworkProblem,
  sendError,
  sendNotFound,
  type RequestPart,
} from './errors.ts';
import type { ApiContext, ApiOptions } from './context.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a bearer key needs for this route; routes without one take no bearer key. */
    scope?: Scope;
  }
}

/** Where fastify's validation context puts a problem (api/errors.ts RequestPart). */
const PART_OF: Record<string, RequestPart> = { body: 'body', params: 'path', querystring: 'query', headers: 'header' };

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
    // Errors the router raises before any route runs, in the same shape as every other error (api/errors.ts).
    frameworkErrors: (err, req, reply: FastifyReply) => {
      const bad = err.code === 'FST_ERR_BAD_URL';
      void reply
        .code(400)
        .send(
          errorBody(req.id, 'invalid_request', bad ? 'the URL path is not valid percent-encoding' : 'the URL path is not valid', [
            { in: 'path', pointer: '', message: bad ? 'invalid percent-encoding in the path' : 'invalid path' },
          ]),
        );
    },
    // Requests Node's HTTP parser refuses (URL or headers past 16 KB, not HTTP) get the same shape too.
    clientErrorHandler,
    // Validate what is sent, never repair it: no silent stripping of unknown fields, no type coercion.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true },
      plugins: [addTraitFormats],
    },
  });
  // Every route's methods by path, so a path served for other methods answers 405 (with Allow), not 404.
  const methods = new MethodTable();
  app.addHook('onRoute', (route) => methods.add(route));
  const metrics = createApiMetrics({ defaultMetrics: opts.logger === true });
  // Events refused because Temporal refused the API's credentials (a key revoked or expired while it runs) are answered
  // 503, so their senders send them again once the key is fixed; the log says why, at most once a minute.
  const credentialsWatch = new CredentialsRefusalLog((line) => app.log.error(line));
  const ctx: ApiContext = {
    client: opts.client,
    taskQueue: opts.taskQueue,
    customerTaskQueue: opts.customerTaskQueue ?? opts.taskQueue,
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
      customerTaskQueue: opts.customerTaskQueue,
      registry: opts.registry,
      validate: opts.validateEvent ?? createCatalogEventValidator(),
      customerDefaults: opts.customerDefaults,
      referralCodeSecret: opts.referralCodeSecret,
      routeTimeoutMs: opts.temporalCallTimeoutMs ?? 10_000,
      answerCacheSize: opts.answerCacheSize,
      recordTracked: createTrackedEventWriter(opts.dataDir, loadCatalog(), opts.referralCodeSecret),
      onAccepted: (e, journeys) => {
        metrics.eventsAccepted.inc({ type: e.type });
        for (const j of journeys) metrics.journeyDeliveries.inc({ type: e.type, journey: j.journeyId, outcome: j.outcome });
        opts.eventLog?.append(e);
      },
      onRejected: (type, reason) => metrics.rejectEvents(type, reason),
      onTemporalError: (operation, err) => {
        metrics.temporalErrors.inc({ operation });
        credentialsWatch.seen(err);
      },
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
    if (!key) {
      const message = 'send Authorization: Bearer <api key>';
      return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'unauthorized', message, [authorizationProblem(message)]);
    }
    if (!key.scopes.has(scope)) {
      const message = `this key lacks the "${scope}" scope`;
      return sendError(reply, 403, 'forbidden', message, [authorizationProblem(message)]);
    }
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
      const part = PART_OF[where] ?? 'body';
      return sendError(
        reply,
        400,
        'invalid_request',
        `the ${where} is invalid: ${err.validation.map((v) => `${v.instancePath || '/'} ${v.message}`).join('; ')}`,
        err.validation.map((v) => ({
          in: part,
          pointer: `${v.instancePath}${v.keyword === 'required' ? `/${(v.params as { missingProperty: string }).missingProperty}` : ''}${v.keyword === 'additionalProperties' ? `/${(v.params as { additionalProperty: string }).additionalProperty}` : ''}`,
          message: v.message ?? 'invalid',
        })),
      );
    }
    // An event Temporal did not take (EventNotTaken) is 503, so the sender sends it again; never a 2xx, never a 500.
    if (err instanceof EventNotTaken)
      return sendError(reply.header('retry-after', '1'), 503, 'temporal_unavailable', err.message, [{ pointer: '', message: err.message }]);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const { status, error, problem } = frameworkProblem(err);
      // Fastify closes the connection after a body it stopped reading; closing on unread bytes makes the kernel
      // reset the connection, which can discard this very answer before the client reads it (the fuzzer saw
      // 413s lost as EPIPE). Kept open, Node drains the rest of the body (bounded by its framing) and the
      // client gets its 413.
      if (status === 413) reply.removeHeader('connection');
      return sendError(reply, status, error, problem.message, [problem]);
    }
    req.log.error({ err }, 'request failed');
    const message = 'internal error; see the log for this request id';
    return sendError(reply, 500, 'internal', message, [{ pointer: '', message }]);
  });
  app.setNotFoundHandler((req, reply) => sendNotFound(req, reply, methods));

  registerBodyDepthLimit(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerOperationRoutes(app, ctx);
  await registerUnsubscribeRoutes(app, ctx);
  await registerPageRoutes(app, ctx);
  await registerCodecRoutes(app, ctx);
  await app.register(
    async (v1) => {
      await registerEventRoutes(v1, ctx);
      await registerCustomerRoutes(v1, ctx);
      await registerPromptRoutes(v1, ctx);
      await registerRunRoutes(v1, ctx);
      await registerDefinitionRoutes(v1, ctx);
      await registerReportRoutes(v1, ctx);
      await registerWebhookRoutes(v1, ctx);
    },
    { prefix: '/v1' },
  );
  return app;
}
