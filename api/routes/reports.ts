// GET /v1/reports/kpis: the advocacy KPIs from the tracking log (built by the rewards/tracking module).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../server.ts';
import { anyObject, bearer, errorResponses } from '../schemas.ts';

export interface KpiQuery {
  journeyId?: string;
  from?: string;
  to?: string;
}
export type KpiReporter = (query: KpiQuery) => Promise<unknown>;

export async function registerReportRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.get('/reports/kpis', {
    config: { scope: 'read' },
    schema: {
      summary: 'Advocacy KPIs per journey and version over a period, from the tracking log', tags: ['reports'], security: bearer,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          journeyId: { type: 'string', maxLength: 200 },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
        },
      },
      response: { 200: anyObject, ...errorResponses(400, 401, 403, 501) },
    },
  }, async (req, reply) => {
    const report = ctx.opts.kpiReport;
    if (!report) {
      return reply.code(501).send({ error: 'not_implemented', message: 'the KPI report is not available in this build yet (it is built from the tracking log by the rewards module)', requestId: req.id });
    }
    return report(req.query as KpiQuery);
  });
}
