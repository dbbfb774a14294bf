// GET/POST /o/<token>: the account owner's Done / Decline links from the owner-task email. GET shows the task and
// changes nothing (mail scanners prefetch links); POST (CSRF-protected as the referral form) sends owner_task.completed
// or owner_task.declined through the same ingest as POST /v1/events. The event id comes from the task id and the
// answer, so a double click, a second POST or a reload is one event, which ingest answers as a duplicate and the run
// drops by id. The token is the credential: signed, expiring, and it names no customer id. Every request (view or
// answer) counts against a per-IP limit before the token is read, and a token that opens (a real task) against a
// per-task limit before the run is asked: each view costs a query of the run, which a script must not multiply.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PagesConfig } from '../../definitions/pages.ts';
import { readOwnerTaskToken } from '../../activities/crm/owner-task-link.ts';
import type { ApiContext } from '../context.ts';
import { EventNotTaken } from '../ingest.ts';
import { queryRun } from './advocate-lookup.ts';
import { checkCsrf, csrfCookieHeader, issueCsrf, CSRF_FIELD } from './csrf.ts';
import { PAGE_HEADERS, pageErrorHandler } from './layout.ts';
import { ownerTaskClosedPage, ownerTaskPage, type OwnerAnswerChoice } from './owner-task-page.ts';
import { referralProblemPage } from './referral-page.ts';
import { limiterFor, limitReachedMessage, type RateVerdict } from './rate-limit.ts';

const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } } };
const EVENT_TYPE: Record<OwnerAnswerChoice, string> = { done: 'owner_task.completed', decline: 'owner_task.declined' };

/** The event id of one answer to one task: the same for every click and every resent form. */
export function ownerAnswerEventId(taskId: string, answer: OwnerAnswerChoice): string {
  return `owner-task-link:${createHash('sha256').update(taskId).digest('base64url').slice(0, 32)}:${answer}`;
}

const asChoice = (v: unknown): OwnerAnswerChoice | undefined => (v === 'done' || v === 'decline' ? v : undefined);

export async function registerOwnerTaskRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  config: PagesConfig,
  secrets: { status: string; csrf: string },
) {
  const send = (reply: FastifyReply, status: number, html: string) => reply.code(status).headers(PAGE_HEADERS).send(html);
  const limits = config.ownerTaskPage?.rateLimits ?? {};
  const perIp = limiterFor(limits.perIp, { name: 'per IP address', unit: 'requests', max: 60 });
  const perTask = limiterFor(limits.perToken, { name: 'per task link', unit: 'requests', max: 20 });
  const tooMany = (reply: FastifyReply, verdict: RateVerdict) =>
    send(
      reply.header('retry-after', String(verdict.retryAfter)),
      429,
      referralProblemPage(config, 'Too many requests', limitReachedMessage(verdict)),
    );
  const unavailable = (reply: FastifyReply) =>
    send(
      reply.header('retry-after', '30'),
      503,
      referralProblemPage(config, 'Please try again', 'We could not reach the journey just now. Please try again in a minute.'),
    );

  /** The token's task and the run that holds it open (or answered), or the page already sent. */
  async function subject(req: FastifyRequest, reply: FastifyReply) {
    const token = (req.params as { token: string }).token;
    const byIp = perIp.hit(req.ip);
    if (!byIp.allowed) {
      void tooMany(reply, byIp);
      return undefined;
    }
    const read = readOwnerTaskToken(secrets.status, token);
    if (!read.ok) {
      void send(reply, read.reason === 'expired' ? 410 : 404, ownerTaskClosedPage(config, read.reason));
      return undefined;
    }
    const { taskId, journeyId, customerId } = read.subject;
    // Keyed by the task (not the token's text): only a signed token gets here, so forged ones cannot crowd real tasks out.
    const byTask = perTask.hit(taskId);
    if (!byTask.allowed) {
      void tooMany(reply, byTask);
      return undefined;
    }
    try {
      const state = await queryRun(ctx, journeyId, customerId);
      const task = state?.ownerTask;
      if (!state || !task || task.taskId !== taskId) {
        void send(reply, 410, ownerTaskClosedPage(config, 'gone'));
        return undefined;
      }
      const journeyName = ctx.registry.current().find((p) => p.journeyId === journeyId)?.name ?? journeyId;
      return { token, taskId, journeyId, customerId, state, task, journeyName, action: `/o/${encodeURIComponent(token)}` };
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'owner task page: run query failed');
      void unavailable(reply);
      return undefined;
    }
  }

  await app.register(async (scope) => {
    scope.setErrorHandler(pageErrorHandler(config, () => ownerTaskClosedPage(config, 'invalid')));
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8 * 1024 }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );

    scope.get('/o/:token', { schema: { hide: true, params: tokenParams } }, async (req, reply) => {
      const who = await subject(req, reply);
      if (!who) return reply;
      const pair = issueCsrf(secrets.csrf, who.action);
      reply.header('set-cookie', csrfCookieHeader(pair, who.action, req.protocol === 'https'));
      const preselected = asChoice((req.query as { answer?: string }).answer);
      return send(reply, 200, ownerTaskPage(config, { ...who, form: { action: who.action, csrf: pair.field, preselected } }));
    });

    scope.post('/o/:token', { schema: { hide: true, params: tokenParams } }, async (req, reply) => {
      const who = await subject(req, reply);
      if (!who) return reply;
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
      const csrf = checkCsrf(secrets.csrf, who.action, body[CSRF_FIELD], req.headers.cookie);
      if (csrf.problem !== undefined)
        return send(reply, 403, referralProblemPage(config, 'Please reload the page', `This form could not be accepted: ${csrf.problem}.`));
      const answer = asChoice(body.answer);
      if (!answer)
        return send(reply, 400, referralProblemPage(config, 'Please reload the page', 'The form field `answer` must be done or decline.'));
      // Answered already (the CRM, another click that got there first): show what the run holds, send nothing.
      if (who.task.outcome) return send(reply, 200, ownerTaskPage(config, who));
      try {
        const result = await ctx.ingest.ingest({
          id: ownerAnswerEventId(who.taskId, answer),
          type: EVENT_TYPE[answer],
          customerId: who.customerId,
          occurredAt: new Date().toISOString(),
          data: { taskId: who.taskId },
        });
        // A conflict is this very answer sent before at another instant (the id holds the task and the answer, the
        // time differs): it was taken then, so it is taken now.
        if (result.status === 'rejected' && result.reason === 'conflict')
          return send(reply, 200, ownerTaskPage(config, { ...who, justAnswered: answer }));
        if (result.status === 'rejected') throw new Error(result.errors.map((e) => `${e.pointer}: ${e.message}`).join('; '));
        if (!result.journeys.some((j) => j.journeyId === who.journeyId && j.outcome !== 'not-routed'))
          return send(reply, 410, ownerTaskClosedPage(config, 'gone'));
      } catch (err) {
        if (!(err instanceof EventNotTaken)) throw err;
        return unavailable(reply);
      }
      return send(reply, 200, ownerTaskPage(config, { ...who, justAnswered: answer }));
    });
  });
}
