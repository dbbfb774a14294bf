// One journey run of one customer: its state, and the operator's actions on it (Updates defined in workflows/contract/).
import {
  cancelRunUpdate,
  handOverUpdate,
  journeyStateQuery,
  journeyWorkflowId,
  pauseUpdate,
  resumeUpdate,
  skipWaitUpdate,
  type OperatorAction,
} from '../../workflows/contract/index.ts';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { queryOrReason, replyTemporalFailure, updateRun, withDeadline } from '../temporal-calls.ts';
import { anyObject, bearerRoute, errorResponses, idSchema, operatorActionSchema, runStatusFields } from '../schemas.ts';

const runParams = {
  type: 'object',
  required: ['journeyId', 'customerId'],
  properties: { journeyId: idSchema, customerId: idSchema },
} as const;

const ACTIONS = {
  pause: { update: pauseUpdate, summary: 'Pause the run: it holds its asks until resumed' },
  resume: { update: resumeUpdate, summary: 'Resume a paused run' },
  cancel: { update: cancelRunUpdate, summary: 'Cancel the run: pending asks are dropped, the run ends' },
  'skip-wait': { update: skipWaitUpdate, summary: 'Skip the current wait (e.g. the delay before an ask)' },
  'hand-over': {
    update: handOverUpdate,
    summary: 'Hand the run over to a fresh history at its next safe point (continue-as-new, state carried; docs/versioning.md)',
  },
} as const;

export async function registerRunRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.get(
    '/journeys/:journeyId/runs/:customerId',
    bearerRoute('read', 'runs', {
      summary: "A journey run's status and state",
      params: runParams,
      response: {
        200: {
          type: 'object',
          properties: { ...runStatusFields, historyLength: { type: 'integer' } },
        },
        ...errorResponses(400, 401, 403, 404, 503),
      },
    }),
    async (req, reply) => {
      const { journeyId, customerId } = req.params as { journeyId: string; customerId: string };
      const workflowId = journeyWorkflowId(journeyId, customerId);
      const handle = ctx.client.workflow.getHandle(workflowId);
      try {
        const d = await withDeadline(ctx, () => handle.describe());
        const state = await queryOrReason(ctx, () => handle.query(journeyStateQuery));
        return {
          workflowId,
          runId: d.runId,
          status: d.status.name,
          startTime: d.startTime.toISOString(),
          closeTime: d.closeTime?.toISOString() ?? null,
          historyLength: d.historyLength,
          ...state,
        };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'describeRun', err, `run ${workflowId}`, 'customerId');
      }
    },
  );

  for (const [name, { update, summary }] of Object.entries(ACTIONS)) {
    app.post(
      `/journeys/:journeyId/runs/:customerId/${name}`,
      bearerRoute('operate', 'runs', {
        summary,
        params: runParams,
        body: operatorActionSchema,
        response: {
          200: {
            type: 'object',
            properties: { workflowId: { type: 'string' }, action: { type: 'string' }, state: { ...anyObject, type: ['object', 'null'] } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 503, 504),
        },
      }),
      async (req, reply) => {
        const { journeyId, customerId } = req.params as { journeyId: string; customerId: string };
        const workflowId = journeyWorkflowId(journeyId, customerId);
        const action = (req.body ?? {}) as OperatorAction;
        try {
          const state = await updateRun(ctx, () => ctx.client.workflow.getHandle(workflowId).executeUpdate(update, { args: [action] }));
          return { workflowId, action: name, state: (state ?? null) as object | null };
        } catch (err) {
          return replyTemporalFailure(ctx, reply, name, err, `run ${workflowId}`, 'customerId');
        }
      },
    );
  }
}
