// The journeys the API routes to: list them, check a definition before deploying it, reload the files.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { anyObject, bearerRoute, errorResponses, errorSchema, integerFields, textFields } from '../schemas.ts';
import { upgradeRunsInFlight } from '../in-flight-upgrades.ts';
import { errorBody } from '../errors.ts';

const diagnostic = {
  type: 'object',
  properties: {
    ...textFields('file', 'pointer', 'message', 'expected', 'suggestion', 'code'),
    ...integerFields('line', 'column'),
    severity: { type: 'string', enum: ['error', 'warning'] },
    usedAt: {
      type: 'object',
      description: 'For a problem inside a template file (file, line and column name the template): where the journey uses it.',
      properties: { ...textFields('file'), ...integerFields('line', 'column') },
    },
  },
} as const;
const journeySummary = {
  type: 'object',
  properties: { journeyId: { type: 'string' }, version: { type: 'integer' }, hash: { type: 'string' }, status: { type: 'string' } },
} as const;

const upgradeReport = {
  type: 'object',
  description: 'What happened to the open runs of one journey whose plan changed in this reload.',
  properties: {
    ...textFields('journeyId', 'inFlight', 'reason'),
    ...integerFields('fromVersion', 'toVersion', 'runsFound', 'signalled', 'failed'),
    action: { type: 'string', enum: ['signalled', 'skipped'] },
    errors: { type: 'array', items: { type: 'object', properties: textFields('workflowId', 'message') } },
    truncated: { type: 'boolean' },
  },
} as const;
const reloadOutcome = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'With 422: invalid_definitions.' },
    message: { type: 'string' },
    errors: errorSchema.properties.errors,
    requestId: { type: 'string' },
    applied: { type: 'boolean' },
    journeys: { type: 'array', items: journeySummary },
    diagnostics: { type: 'array', items: diagnostic },
    upgrades: { type: 'array', items: upgradeReport },
  },
} as const;

export async function registerDefinitionRoutes(app: FastifyInstance, ctx: ApiContext) {
  // Every applied reload (this route or SIGHUP) tells the runs in flight of journeys that migrate at Listen.
  ctx.registry.upgradeRunsWith(async (changes) => {
    const reports = [];
    for (const change of changes) reports.push(await upgradeRunsInFlight(ctx.client, change));
    return reports;
  });

  app.get(
    '/definitions',
    bearerRoute('read', 'definitions', {
      summary: 'The journeys being served, with their routing',
      response: {
        200: {
          type: 'object',
          properties: {
            loadedAt: { type: ['string', 'null'] },
            journeys: {
              type: 'array',
              items: { type: 'object', properties: { ...journeySummary.properties, name: { type: 'string' }, routing: anyObject } },
            },
          },
        },
        ...errorResponses(401, 403),
      },
    }),
    async () => ({
      loadedAt: ctx.registry.loadedAt ?? null,
      journeys: ctx.registry.current().map((p) => ({
        journeyId: p.journeyId,
        version: p.version,
        hash: p.hash,
        status: p.definition.status,
        name: p.name,
        routing: p.routing,
      })),
    }),
  );

  app.post(
    '/definitions/validate',
    bearerRoute('read', 'definitions', {
      summary: "Check a journey definition (the CLI's diagnostics); nothing is deployed",
      body: { ...anyObject, description: 'A journey definition (definitions/schema/journey.schema.json).' },
      response: {
        200: { type: 'object', properties: { valid: { type: 'boolean' }, diagnostics: { type: 'array', items: diagnostic } } },
        ...errorResponses(400, 401, 403, 501),
      },
    }),
    async (req, reply) => {
      const validate = ctx.opts.validateDefinition;
      if (!validate)
        return reply
          .code(501)
          .send(
            errorBody(req.id, 'not_implemented', 'the definition compiler is not wired into this API build', [
              { pointer: '', message: 'no compiler in this build' },
            ]),
          );
      const diagnostics = await validate(req.body);
      return { valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics };
    },
  );

  app.post(
    '/definitions/reload',
    bearerRoute('operate', 'definitions', {
      summary: 'Compile the journey files again; an invalid file is refused and the last good versions keep serving',
      description:
        'For each journey whose plan changed and whose new version says inFlight: migrate-at-listen, every open run (by its JourneyId search attribute) is sent the new plan (upgradePlan signal) and moves to it when back in Listen; `upgrades` reports runs found, signalled and failed per journey.',
      response: {
        200: reloadOutcome,
        422: reloadOutcome,
        ...errorResponses(401, 403),
      },
    }),
    async (req, reply) => {
      const outcome = await ctx.registry.reload();
      if (outcome.applied) return reply.code(200).send(outcome);
      // Refused: the outcome with the error shape's fields, each error diagnostic a problem in the journey file.
      const problems = outcome.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => ({ pointer: d.pointer, message: `${d.file}:${d.line}:${d.column} ${d.message}` }));
      return reply.code(422).send({
        ...outcome,
        error: 'invalid_definitions',
        message: `the journey files have ${problems.length} error(s); the last good versions keep serving`,
        errors: problems.length > 0 ? problems : [{ pointer: '', message: 'the journey files did not compile' }],
        requestId: req.id,
      });
    },
  );
}
