// Customers: traits in, everything the engine knows about one customer out, and the global opt-out.
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { Scope } from '../auth.ts';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import {
  CUSTOMER_WORKFLOW_TYPE,
  JOURNEY_WORKFLOW_TYPE,
  customerStateQuery,
  customerWorkflowId,
  globalOptOutUpdate,
  journeyStateQuery,
  optOutUpdate,
  updateTraitsSignal,
  type OperatorAction,
  JourneyId,
  JourneyVersion,
  customerStartOptions,
  handOverCustomerUpdate,
} from '../../workflows/contract/index.ts';
import type { ApiContext } from '../context.ts';
import { startCustomerWorkflow } from '../routing.ts';
import { queryOrReason, replyTemporalFailure, visibilityQuote, withDeadline } from '../temporal-calls.ts';
import {
  anyObject,
  bearerRoute,
  errorResponses,
  idSchema,
  operatorActionSchema,
  runStatusFields,
  textFields,
  traitsSchema,
} from '../schemas.ts';

const customerParams = { type: 'object', required: ['id'], properties: { id: idSchema } } as const;

/** A route on one customer (`:id` in its path). */
function customerRoute<S extends FastifySchema>(scope: Scope, schema: S) {
  return bearerRoute(scope, 'customers', { params: customerParams, ...schema });
}

const MAX_RUNS = 100;

/** GET /customers/:id: everything the engine knows about one customer. */
const customerView = {
  type: 'object',
  properties: {
    customerId: { type: 'string' },
    profile: {
      ...anyObject,
      type: ['object', 'null'],
      description: "The customer workflow's state: traits, opt-out, contact history, rewards, referrals, advocate score.",
    },
    profileError: { type: 'string' },
    journeys: {
      type: 'array',
      items: { type: 'object', properties: { ...runStatusFields, journeyId: { type: 'string' }, version: { type: ['string', 'null'] } } },
    },
  },
} as const;

/** POST /customers/:id/opt-out: the customer's profile after the global opt-out, and each open run's answer. */
const optOutOutcome = {
  type: 'object',
  properties: {
    customerId: { type: 'string' },
    profile: { ...anyObject, type: ['object', 'null'] },
    journeysError: { type: 'string', description: 'Set (with journeys: null) when the runs could not be listed.' },
    journeys: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        properties: { ...textFields('workflowId', 'error'), ok: { type: 'boolean' }, state: { ...anyObject, type: ['object', 'null'] } },
      },
    },
  },
} as const;

/** POST /customers/:id/hand-over: the customer workflow's answer. */
const handOverOutcome = {
  type: 'object',
  properties: { ...textFields('workflowId', 'action'), state: { ...anyObject, type: ['object', 'null'] } },
} as const;

/** The customer's journey runs (open and closed), newest first, from visibility. */
async function journeyRunsOf(ctx: ApiContext, customerId: string, onlyRunning = false) {
  const query = `WorkflowType = '${JOURNEY_WORKFLOW_TYPE}' AND CustomerId = ${visibilityQuote(customerId)}${onlyRunning ? ` AND ExecutionStatus = 'Running'` : ''}`;
  // Under the API's deadline: with Temporal down the SDK would otherwise retry the listing for a long while.
  return withDeadline(ctx, async () => {
    const runs = [];
    for await (const run of ctx.client.workflow.list({ query, pageSize: MAX_RUNS })) {
      runs.push(run);
      if (runs.length >= MAX_RUNS) break;
    }
    return runs;
  });
}

export async function registerCustomerRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.put(
    '/customers/:id',
    customerRoute('ingest', {
      summary: "Set a customer's traits (merged into what the engine knows)",
      body: traitsSchema(),
      response: {
        202: { type: 'object', properties: { customerId: { type: 'string' }, workflowId: { type: 'string' } } },
        ...errorResponses(400, 401, 403, 503),
      },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      try {
        await startCustomerWorkflow(
          ctx.client,
          ctx.taskQueue,
          id,
          updateTraitsSignal,
          [req.body as Record<string, unknown>],
          ctx.customerDefaults,
        );
        return reply.code(202).send({ customerId: id, workflowId: customerWorkflowId(id) });
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'updateTraits', err, `customer ${id}`);
      }
    },
  );

  app.get(
    '/customers/:id',
    customerRoute('read', {
      summary: "A customer's journeys (stage, state), profile, contact history, rewards and referrals",
      response: { 200: customerView, ...errorResponses(400, 401, 403, 404, 503) },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      try {
        const runs = await journeyRunsOf(ctx, id);
        const journeys = await Promise.all(
          runs.map(async (run) => ({
            journeyId: String(run.typedSearchAttributes.get(JourneyId) ?? ''),
            version: run.typedSearchAttributes.get(JourneyVersion) ?? null,
            workflowId: run.workflowId,
            runId: run.runId,
            status: run.status.name,
            startTime: run.startTime.toISOString(),
            closeTime: run.closeTime?.toISOString() ?? null,
            ...(run.status.name === 'RUNNING'
              ? await queryOrReason(ctx, () => ctx.client.workflow.getHandle(run.workflowId, run.runId).query(journeyStateQuery))
              : { state: null }),
          })),
        );
        const profileHandle = ctx.client.workflow.getHandle(customerWorkflowId(id));
        // Only "no such workflow" means the customer has no profile; Temporal being unreachable is a 503, not a 404.
        const exists = await withDeadline(ctx, () => profileHandle.describe()).then(
          () => true,
          (err) => {
            if (err instanceof WorkflowNotFoundError) return false;
            throw err;
          },
        );
        const profile = exists ? await queryOrReason(ctx, () => profileHandle.query(customerStateQuery)) : { state: null };
        if (!exists && journeys.length === 0) {
          return reply.code(404).send({ error: 'not_found', message: `the engine knows nothing about customer ${id}`, requestId: req.id });
        }
        return {
          customerId: id,
          profile: profile.state,
          ...(profile.stateError ? { profileError: profile.stateError } : {}),
          journeys,
        };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'getCustomer', err, `customer ${id}`);
      }
    },
  );

  app.post(
    '/customers/:id/opt-out',
    customerRoute('operate', {
      summary: 'Opt the customer out of every journey, at once',
      body: operatorActionSchema,
      response: { 200: optOutOutcome, ...errorResponses(400, 401, 403, 409, 503, 504) },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const action = (req.body ?? {}) as OperatorAction;
      let profile: unknown;
      try {
        // The customer workflow owns the global opt-out; start it if this customer has none yet, so the opt-out holds
        // for journeys that start later too.
        profile = await withDeadline(ctx, () =>
          ctx.client.workflow.executeUpdateWithStart(globalOptOutUpdate, {
            args: [action],
            startWorkflowOperation: new WithStartWorkflowOperation(
              CUSTOMER_WORKFLOW_TYPE,
              customerStartOptions(id, ctx.taskQueue, ctx.customerDefaults),
            ),
          }),
        );
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'globalOptOut', err, `customer ${id}`);
      }
      // The opt-out is durable in customer:<id> (every journey's next ask checks it); the runs are told at once too.
      // A failed listing is said as such: `journeys: []` would claim the customer has no journey running.
      let runs: Awaited<ReturnType<typeof journeyRunsOf>>;
      try {
        runs = await journeyRunsOf(ctx, id, true);
      } catch (err) {
        ctx.metrics.temporalErrors.inc({ operation: 'listRuns' });
        return {
          customerId: id,
          profile: profile as object | null,
          journeys: null,
          journeysError: `the opt-out is recorded in customer:${id} and every journey's next ask checks it, but its runs could not be listed to stop them at once (${(err as Error).message}); send the opt-out again to retry`,
        };
      }
      const journeys = await Promise.all(
        runs.map(async (run) => {
          try {
            const state = await withDeadline(ctx, () =>
              ctx.client.workflow.getHandle(run.workflowId).executeUpdate(optOutUpdate, { args: [action] }),
            );
            return { workflowId: run.workflowId, ok: true, state };
          } catch (err) {
            ctx.metrics.temporalErrors.inc({ operation: 'optOut' });
            return { workflowId: run.workflowId, ok: false, error: (err as Error).message };
          }
        }),
      );
      return { customerId: id, profile, journeys };
    },
  );

  app.post(
    '/customers/:id/hand-over',
    customerRoute('operate', {
      summary: "Hand the customer's own workflow (customer:<id>) over to a fresh history now (continue-as-new, state carried)",
      body: operatorActionSchema,
      response: { 200: handOverOutcome, ...errorResponses(400, 401, 403, 404, 409, 503, 504) },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const workflowId = customerWorkflowId(id);
      const action = (req.body ?? {}) as OperatorAction;
      try {
        // Not started when missing: a customer with no workflow has no history to leave.
        const state = await withDeadline(ctx, () =>
          ctx.client.workflow.getHandle(workflowId).executeUpdate(handOverCustomerUpdate, { args: [action] }),
        );
        return { workflowId, action: 'hand-over', state: (state ?? null) as object | null };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'handOver', err, `customer ${id}`);
      }
    },
  );
}
