// GET /v1/customers/{id}/prompts: the in-product prompts the product should show this customer now, one per journey
// run that has a current prompt. Read from each run while it lives (the journeyPrompts query); never ends a run.
// The product sends back prompt.shown / prompt.clicked / prompt.dismissed with the prompt's id and journeyId.
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  customerStateQuery,
  customerWorkflowId,
  journeyPromptsQuery,
  journeyWorkflowId,
  type CustomerSnapshot,
  type JourneyPrompt,
} from '../../workflows/contract/index.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { ApiContext } from '../context.ts';
import { bearerRoute, errorResponses, idSchema } from '../schemas.ts';
import { sendError } from '../errors.ts';
import { replyTemporalFailure, withDeadline } from '../temporal-calls.ts';

const promptSchema = {
  type: 'object',
  required: ['id', 'journeyId', 'motion', 'text', 'actionLabel', 'postedAt', 'expiresAt'],
  properties: {
    id: { type: 'string', description: 'Send it back as data.promptId of prompt.shown / prompt.clicked / prompt.dismissed.' },
    journeyId: { type: 'string', description: 'Send it back as data.journeyId with the same events.' },
    motion: { type: 'string' },
    text: { type: 'string', description: "The prompt's text, rendered for this customer." },
    actionLabel: { type: 'string', description: "The button's label." },
    actionLink: { type: 'string', description: 'Where the button goes (the motion’s activate.link, with the referral code).' },
    postedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time', description: 'Do not show it after this time.' },
    shownAt: { type: 'string', format: 'date-time' },
    clickedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const promptsView = {
  type: 'object',
  required: ['customerId', 'prompts', 'asOf'],
  properties: {
    customerId: { type: 'string' },
    asOf: { type: 'string', format: 'date-time', description: 'Prompts that expire before this time are left out.' },
    withheld: {
      type: 'string',
      description: "Why no prompt is shown although a run has one: the customer's global opt-out or suppression (customer:<id>).",
    },
    prompts: { type: 'array', items: promptSchema },
  },
} as const;

/** The active journeys that deliver some motion in-product. */
function promptingPlans(plans: readonly CompiledPlan[]): CompiledPlan[] {
  return plans.filter(
    (p) => p.definition.status === 'active' && Object.values(p.definition.motions).some((m) => m.invite.channels?.includes('in-product')),
  );
}

export async function registerPromptRoutes(app: FastifyInstance, ctx: ApiContext) {
  app.get(
    '/customers/:id/prompts',
    bearerRoute('read', 'customers', {
      summary: "The customer's current in-product prompts (text, action link, expiry), for the product to show",
      params: { type: 'object', required: ['id'], properties: { id: idSchema } },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          journey: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 64, description: 'Only this journey’s prompts.' },
        },
      },
      response: { 200: promptsView, ...errorResponses(400, 401, 403, 404, 409, 503, 504) },
    }),
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const { journey } = req.query as { journey?: string };
      let plans = promptingPlans(ctx.registry.current());
      if (journey !== undefined) {
        plans = plans.filter((p) => p.journeyId === journey);
        if (plans.length === 0) {
          const known = ctx.registry.find(journey);
          const message = known ? `journey ${journey} does not deliver any ask in-product` : `there is no journey ${journey}`;
          return sendError(reply, 400, 'invalid_request', `the query is invalid: /journey ${message}`, [
            { in: 'query', pointer: '/journey', message },
          ]);
        }
      }
      try {
        const [profile, ...answers] = await Promise.all([
          customerProfile(ctx, id),
          ...plans.map((plan) => promptsOfRun(ctx, journeyWorkflowId(plan.journeyId, id))),
        ]);
        if (answers.every((a) => a === undefined) && !profile) {
          const message = `the engine knows nothing about customer ${id}`;
          return sendError(reply, 404, 'not_found', message, [{ in: 'path', pointer: '/id', message }]);
        }
        // The run's clock is its last workflow task: the product's clock decides what has expired.
        const now = Date.now();
        const prompts = answers.flatMap((a) => a ?? []).filter((p) => Date.parse(p.expiresAt) > now);
        // The cross-journey policy holds for prompts as for email: a journey without a rule for that signal still
        // shows nothing while customer:<id> has the customer opted out or suppressed.
        const withheld = prompts.length > 0 && profile ? globalHold(profile, now) : undefined;
        if (withheld) return { customerId: id, asOf: new Date(now).toISOString(), prompts: [], withheld };
        return { customerId: id, asOf: new Date(now).toISOString(), prompts };
      } catch (err) {
        return replyTemporalFailure(ctx, reply, 'journeyPrompts', err, `customer ${id}'s journey runs`, 'id');
      }
    },
  );
}

/** The run's current prompts, or undefined when there is no such run. */
async function promptsOfRun(ctx: ApiContext, workflowId: string): Promise<JourneyPrompt[] | undefined> {
  try {
    return await withDeadline(ctx, () => ctx.client.workflow.getHandle(workflowId).query(journeyPromptsQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** customer:<id>'s state, or undefined when the customer has no workflow. */
async function customerProfile(ctx: ApiContext, id: string): Promise<CustomerSnapshot | undefined> {
  try {
    return await withDeadline(ctx, () => ctx.client.workflow.getHandle(customerWorkflowId(id)).query(customerStateQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

function globalHold(profile: CustomerSnapshot, now: number): string | undefined {
  if (profile.optedOut) return `opted out of every journey: ${profile.optedOut.reason}`;
  const s = profile.suppressed;
  if (s && (s.until === undefined || Date.parse(s.until) > now)) return `suppressed: ${s.reason}${s.until ? ` until ${s.until}` : ''}`;
  return undefined;
}
