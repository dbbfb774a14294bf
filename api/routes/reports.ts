// GET /v1/reports/kpis: the declared KPIs over the tracking logs, the very report `journey report` prints (same
// engine, same filters and breakdown). The KPI definitions are compiled once, on the first request.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { bearerRoute, errorResponses, kpiReportSchema } from '../schemas.ts';
import { compileKpis } from '../../reports/engine/kpi-compile.ts';
import { runKpiReport } from '../../reports/engine/kpi-engine.ts';
import { parseKpiQuery, type RawKpiQuery } from '../../reports/kpi-query.ts';
import type { KpiDefinition } from '../../definitions/kpi-definitions.ts';

const text = { type: 'string', minLength: 1, maxLength: 200 } as const;

export async function registerReportRoutes(app: FastifyInstance, ctx: ApiContext) {
  let definitions: Promise<KpiDefinition[]> | undefined;
  const kpis = () => {
    definitions ??= compileKpis().catch((err: unknown) => {
      definitions = undefined; // a broken file fixed on disk is picked up by the next request
      throw err;
    });
    return definitions;
  };
  app.get(
    '/reports/kpis',
    bearerRoute('read', 'reports', {
      summary: 'The advocacy KPIs (definitions/kpis/) over the tracking logs, broken down by the dimensions in `by`',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          journeyId: text,
          version: { type: 'integer', minimum: 1 },
          motion: text,
          segment: text,
          variant: text,
          cohort: { type: 'string', format: 'date', description: 'First-ask week: the Monday that starts it.' },
          from: { type: 'string', format: 'date-time', description: 'Inclusive, by the fact time of each record.' },
          to: { type: 'string', format: 'date-time', description: 'Exclusive.' },
          by: {
            type: 'string',
            maxLength: 200,
            description: 'Comma-separated: journey, version, motion, segment, variant, day, week, month, cohort. Default journey,version.',
          },
          kpi: { type: 'string', maxLength: 4000, description: 'Comma-separated KPI ids (default: all).' },
        },
      },
      response: { 200: kpiReportSchema, ...errorResponses(400, 401, 403) },
    }),
    async (req, reply) => {
      const definitionsNow = await kpis();
      const { query, problems } = parseKpiQuery(
        req.query as RawKpiQuery,
        definitionsNow.map((k) => k.id),
      );
      if (!query)
        return reply.code(400).send({
          error: 'invalid_request',
          message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
          errors: problems.map((p) => ({ in: 'query', pointer: `/${p.field}`, message: p.message })),
          requestId: req.id,
        });
      return ctx.opts.kpiReport ? ctx.opts.kpiReport(query) : runKpiReport(ctx.opts.dataDir, query, { definitions: definitionsNow });
    },
  );
}
