// GET /v1/reports/kpis: the advocacy KPIs from the tracking log (reports/), the same report `journey report` prints.
import type { FastifyInstance } from 'fastify';
import type { ApiContext, KpiQuery } from '../context.ts';
import { anyObject, bearer, errorResponses } from '../schemas.ts';
import { kpiReportFromLog } from '../../reports/from-log.ts';

export async function registerReportRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.get(
    '/reports/kpis',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Advocacy KPIs per journey and version over a period, from the tracking log',
        tags: ['reports'],
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            journeyId: { type: 'string', maxLength: 200 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
          },
        },
        response: { 200: anyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const query = req.query as KpiQuery;
      return ctx.opts.kpiReport ? ctx.opts.kpiReport(query) : kpiReportFromLog(ctx.opts.dataDir, query);
    },
  );
}
