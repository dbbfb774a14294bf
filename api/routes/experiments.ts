// GET /v1/reports/experiments/{id}: an experiment's arms side by side over the tracking logs (sample sizes, funnel
// rates, lift over control on the primary metric with its 95 % interval and method), the report `journey experiment
// report` prints. The experiment is looked up in the journeys the API serves; an unknown id is a 404 naming it.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { bearerRoute, errorResponses } from '../schemas.ts';
import { sendError } from '../errors.ts';
import { loadCatalog } from '../../definitions/loader.ts';
import { findExperiment, runExperimentReport } from '../../reports/experiments/report.ts';

const open = { type: 'object', additionalProperties: true } as const;

export const experimentReportSchema = {
  type: 'object',
  required: ['experiment', 'primaryMetric', 'methods', 'arms', 'verdicts', 'sources'],
  properties: {
    experiment: { ...open, description: 'The declaration (definition `experiment`), with its journey and the versions that declare it.' },
    primaryMetric: {
      type: 'object',
      properties: { id: { type: 'string' }, kind: { type: 'string', enum: ['rate', 'revenue'] }, method: { type: 'string' } },
    },
    methods: { ...open, description: 'How the population is counted and how each interval is computed.' },
    arms: {
      type: 'array',
      description: 'Control first, then each arm: customers, funnel rates, the primary metric and (arms) its lift over control.',
      items: {
        type: 'object',
        properties: {
          arm: { type: 'string' },
          control: { type: 'boolean' },
          weight: { type: 'number' },
          customers: { type: 'integer' },
          funnel: {
            type: 'array',
            items: {
              type: 'object',
              properties: { step: { type: 'string' }, customers: { type: 'integer' }, rate: { type: ['number', 'null'] } },
            },
          },
          primary: { ...open },
          lift: { ...open, description: 'difference, interval {low, high}, significant, tooSmall (why it cannot be called yet).' },
        },
      },
    },
    verdicts: { type: 'array', items: { type: 'string' } },
    sources: { ...open },
  },
} as const;

export function registerExperimentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/reports/experiments/:id',
    bearerRoute('read', 'reports', {
      summary: "An experiment's arms and control side by side, with each arm's lift over control on the primary metric (95 % interval)",
      params: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'The experiment id (definition `experiment.id`).' } },
      },
      response: { 200: experimentReportSchema, ...errorResponses(400, 401, 403, 404) },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const scope = findExperiment([...ctx.registry.current()], id);
      if (!scope)
        return sendError(reply, 404, 'not_found', `id: no journey served here declares the experiment ${JSON.stringify(id)}`, [
          { in: 'path', pointer: '/id', message: 'no such experiment', expected: 'the `experiment.id` of a journey this API serves' },
        ]);
      return runExperimentReport(ctx.opts.dataDir, scope, loadCatalog().kpis ?? []);
    },
  );
}
