// Customers: traits in, everything the engine knows about one customer out, and the global opt-out.
import type { FastifyInstance, FastifySchema, RouteShorthandOptions } from 'fastify';
import type { Scope } from '../auth.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  customerStateQuery,
  customerWorkflowId,
  journeyStateQuery,
  updateTraitsSignal,
  type OperatorAction,
  type SentEmail,
  JourneyId,
  JourneyVersion,
  handOverCustomerUpdate,
} from '../../workflows/contract/index.ts';
import type { ApiContext } from '../context.ts';
import { startCustomerWorkflow } from '../routing.ts';
import { customerSends } from '../customer-sends.ts';
import { sendError } from '../errors.ts';
import { journeyRunsOf, optOutOfEveryJourney } from '../opt-out.ts';
import { queryOrReason, replyTemporalFailure, updateRun, withDeadline } from '../temporal-calls.ts';
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
function customerRoute<S extends FastifySchema>(scope: Scope, schema: S, options: Omit<RouteShorthandOptions, 'schema'> = {}) {
  return bearerRoute(scope, 'customers', { params: customerParams, ...schema }, options);
}

/** How many closed runs without a successor one read of a customer queries for their sends (the newest first). */
export const MAX_CLOSED_RUNS_READ = 10;

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
    sends: {
      type: 'array',
      description:
        "Every email sent to (or about) the customer that Postmark or the outbox took, from every journey's current run and from the runs that closed without a successor (failed, terminated: the newest " +
        `${MAX_CLOSED_RUNS_READ}), oldest first: ` +
        'asks, thank-yous, referrer updates, with message id, stream, template and journey. Missing where a run could not be read (its `stateError`, or `sendsUnread`).',
      items: {
        type: 'object',
        properties: {
          ...textFields('sendKey', 'journeyId', 'step', 'messageId', 'template', 'sentAt'),
          messageStream: { type: 'string', enum: ['broadcast', 'outbound'] },
          transport: { type: 'string', enum: ['postmark', 'outbox'] },
        },
      },
    },
    sendsUnread: {
      type: 'array',
      description: `Present when the sends of some closed runs are missing from \`sends\`: the runs, and why (not readable, or beyond the newest ${MAX_CLOSED_RUNS_READ}).`,
      items: { type: 'object', properties: { ...textFields('workflowId', 'runId', 'error') } },
    },
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

type ListedRun = Awaited<ReturnType<typeof journeyRunsOf>>[number];

/** The run that stands for each journey now: the running one, or the newest closed one when none runs (a failed
 *  run, say). A run that continued as new is never current: its successor is. */
function currentRuns(runs: ListedRun[]): ListedRun[] {
  const byWorkflow = new Map<string, ListedRun>();
  for (const run of runs) {
    if (run.status.name === 'CONTINUED_AS_NEW') continue;
    const seen = byWorkflow.get(run.workflowId);
    const newer = !seen || run.startTime > seen.startTime;
    if (!seen || (run.status.name === 'RUNNING' && seen.status.name !== 'RUNNING') || (newer && seen.status.name !== 'RUNNING'))
      byWorkflow.set(run.workflowId, run);
  }
  return [...byWorkflow.values()];
}

/**
 * The sends of the runs that closed without handing their state on (failed, terminated, timed out, completed) and
 * are not read for the answer anyway: a run the API started in place of a failed one begins with no sends, so the
 * failed run's own record is the only one of the emails it sent. A query on a closed run replays it on a worker; at
 * most MAX_CLOSED_RUNS_READ of them, the newest; the rest, and any that could not be read, are named in `unread`.
 */
async function closedRunSends(
  ctx: ApiContext,
  listed: ListedRun[],
  alreadyRead: ReadonlySet<string>,
): Promise<{ states: ({ sends?: SentEmail[] } | null)[]; unread: { workflowId: string; runId: string; error: string }[] }> {
  const closed = listed
    .filter((run) => !['RUNNING', 'CONTINUED_AS_NEW'].includes(run.status.name) && !alreadyRead.has(run.runId))
    .sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  const read = closed.slice(0, MAX_CLOSED_RUNS_READ);
  const unread = closed.slice(MAX_CLOSED_RUNS_READ).map((run) => ({
    workflowId: run.workflowId,
    runId: run.runId,
    error: `not read: more than ${MAX_CLOSED_RUNS_READ} closed runs without a successor`,
  }));
  const states = await Promise.all(
    read.map(async (run) => {
      const answer = await queryOrReason(ctx, () => ctx.client.workflow.getHandle(run.workflowId, run.runId).query(journeyStateQuery));
      if (answer.stateError) unread.push({ workflowId: run.workflowId, runId: run.runId, error: answer.stateError });
      return answer.state;
    }),
  );
  return { states, unread };
}

export async function registerCustomerRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.put(
    '/customers/:id',
    customerRoute(
      'ingest',
      {
        summary: "Set a customer's traits (merged into what the engine knows)",
        body: traitsSchema(),
        response: {
          202: { type: 'object', properties: { customerId: { type: 'string' }, workflowId: { type: 'string' } } },
          ...errorResponses(400, 401, 403, 413, 503),
        },
      },
      // Traits are a few short fields (each bounded by the traits schema): far below Temporal's 2 MB payload limit.
      { bodyLimit: 64 * 1024 },
    ),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      try {
        await startCustomerWorkflow(
          ctx.client,
          ctx.customerTaskQueue,
          id,
          updateTraitsSignal,
          [req.body as Record<string, unknown>],
          ctx.customerDefaults,
        );
        return reply.code(202).send({ customerId: id, workflowId: customerWorkflowId(id) });
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'updateTraits', err, `customer ${id}`, 'id');
      }
    },
  );

  app.get(
    '/customers/:id',
    customerRoute('read', {
      summary: "A customer's journeys (stage, state), profile, contact history, rewards and referrals",
      description:
        'Lists the current run of each journey: closed runs that handed over (continued as new) are left out, because the run that ' +
        'took over says where the customer stands; a current run that failed or was terminated is read too (its state as it closed). ' +
        '`?history=true` lists every run, closed ones included (their state is null).',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          history: { type: 'string', enum: ['true', 'false'], description: 'true: also list closed runs (continued as new, failed).' },
        },
      },
      response: { 200: customerView, ...errorResponses(400, 401, 403, 404, 503) },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const history = (req.query as { history?: string }).history === 'true';
      try {
        const listed = await journeyRunsOf(ctx, id);
        const runs = history ? listed : currentRuns(listed);
        // The run that stands for its journey is read even when it closed without a successor (failed, terminated):
        // Temporal answers a query on a closed run by replaying it, and its state holds what it did (its sends among
        // it). The other closed runs of ?history=true stay null: their successors carried their state on.
        const readable = (run: ListedRun) => run.status.name === 'RUNNING' || !history;
        const closedRead = closedRunSends(ctx, listed, new Set(runs.filter(readable).map((run) => run.runId)));
        const journeys = await Promise.all(
          runs.map(async (run) => ({
            journeyId: String(run.typedSearchAttributes.get(JourneyId) ?? ''),
            version: run.typedSearchAttributes.get(JourneyVersion) ?? null,
            workflowId: run.workflowId,
            runId: run.runId,
            status: run.status.name,
            startTime: run.startTime.toISOString(),
            closeTime: run.closeTime?.toISOString() ?? null,
            ...(readable(run)
              ? await queryOrReason(ctx, () => ctx.client.workflow.getHandle(run.workflowId, run.runId).query(journeyStateQuery))
              : { state: null }),
          })),
        );
        const closed = await closedRead;
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
          return sendError(reply, 404, 'not_found', `the engine knows nothing about customer ${id}`, [
            { in: 'path', pointer: '/id', message: 'no customer with this id' },
          ]);
        }
        return {
          customerId: id,
          profile: profile.state,
          ...(profile.stateError ? { profileError: profile.stateError } : {}),
          sends: customerSends(profile.state, [...journeys.map((run) => run.state), ...closed.states]),
          ...(closed.unread.length ? { sendsUnread: closed.unread } : {}),
          journeys,
        };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'getCustomer', err, `customer ${id}`, 'id');
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
      try {
        return { customerId: id, ...(await optOutOfEveryJourney(ctx, id, action)) };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'globalOptOut', err, `customer ${id}`, 'id');
      }
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
        const state = await updateRun(ctx, () =>
          ctx.client.workflow.getHandle(workflowId).executeUpdate(handOverCustomerUpdate, { args: [action] }),
        );
        return { workflowId, action: 'hand-over', state: (state ?? null) as object | null };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'handOver', err, `customer ${id}`, 'id');
      }
    },
  );
}
