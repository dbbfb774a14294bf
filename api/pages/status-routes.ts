// GET /a/<token>: the advocate's status page, read from their live run (never ended, never changed by reading).
// POST /a/<token>/leaderboard: the advocate's choice to appear on the journey's leaderboard, sent as a tracked
// `leaderboard.preference_set` event through the same ingest as any event (the tracking log keeps it; the latest
// choice holds). The token is the credential: signed, expiring, and it names no customer id in the URL.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PagesConfig } from '../../definitions/pages.ts';
import { readStatusToken } from '../../activities/email/status-link.ts';
import type { ApiContext } from '../context.ts';
import { EventNotTaken } from '../ingest.ts';
import { queryRun } from './advocate-lookup.ts';
import { checkCsrf, csrfCookieHeader, issueCsrf, CSRF_FIELD } from './csrf.ts';
import { PAGE_HEADERS, pageErrorHandler } from './layout.ts';
import { displayNameOf, LeaderboardCache, PREFERENCE_EVENT } from './leaderboard.ts';
import { formatterFor, referralMotion } from './programme.ts';
import { referralProblemPage } from './referral-page.ts';
import { firstNameOf } from './referral-routes.ts';
import { statusInvalidPage, statusPage } from './status-page.ts';

const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } } };

export async function registerStatusPageRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  config: PagesConfig,
  secrets: { status: string; csrf: string },
) {
  const f = formatterFor(config);
  const boards = new LeaderboardCache(ctx.dataDir);
  const lbConfig = config.statusPage.leaderboard;
  const send = (reply: FastifyReply, status: number, html: string) => reply.code(status).headers(PAGE_HEADERS).send(html);

  /** The token's advocate and their live run, or the refusal page already sent. */
  async function subject(req: FastifyRequest, reply: FastifyReply) {
    const token = (req.params as { token: string }).token;
    const read = readStatusToken(secrets.status, token);
    if (!read.ok) {
      void send(reply, read.reason === 'expired' ? 410 : 404, statusInvalidPage(config, read.reason));
      return undefined;
    }
    const { customerId, journeyId } = read.subject;
    const plan = ctx.registry.current().find((p) => p.journeyId === journeyId);
    try {
      const state = await queryRun(ctx, journeyId, customerId);
      if (!state || !plan) {
        void send(reply, 404, statusInvalidPage(config, 'gone'));
        return undefined;
      }
      return { token, customerId, journeyId, plan, state };
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'status page: run query failed');
      void send(
        reply.header('retry-after', '30'),
        503,
        referralProblemPage(config, 'Please try again', 'We could not load your status just now. Please try again in a minute.'),
      );
      return undefined;
    }
  }

  await app.register(async (scope) => {
    scope.setErrorHandler(pageErrorHandler(config, () => statusInvalidPage(config, 'invalid')));
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8 * 1024 }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );

    scope.get('/a/:token', { schema: { hide: true, params: tokenParams } }, async (req, reply) => {
      const who = await subject(req, reply);
      if (!who) return reply;
      const action = `/a/${encodeURIComponent(who.token)}/leaderboard`;
      let leaderboard;
      if (lbConfig?.enabled) {
        // The board is a nicety: a tracking log that cannot be read leaves it out, never the page.
        const board = await boards.get(who.journeyId, lbConfig.period ?? 'quarter', lbConfig.size ?? 10).catch((err: Error) => {
          req.log.warn({ err: err.message }, 'status page: leaderboard not read');
          return undefined;
        });
        const pair = issueCsrf(secrets.csrf, action);
        reply.header('set-cookie', csrfCookieHeader(pair, action, req.protocol === 'https'));
        if (board)
          leaderboard = {
            board,
            csrf: pair.field,
            action,
            optedIn: board.optedIn.get(who.customerId) === true,
            canOptIn: displayNameOf(who.state.traits) !== undefined,
          };
      }
      const notice = (req.query as { saved?: string }).saved === '1' ? 'Your leaderboard choice is saved.' : undefined;
      return send(
        reply,
        200,
        statusPage(config, {
          advocate: firstNameOf(who.state.traits) ?? 'Hello',
          state: who.state,
          reward: referralMotion(who.plan, who.state.motion)?.reward,
          leaderboard,
          f,
          notice,
        }),
      );
    });

    scope.post('/a/:token/leaderboard', { schema: { hide: true, params: tokenParams } }, async (req, reply) => {
      const who = await subject(req, reply);
      if (!who) return reply;
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
      const action = `/a/${encodeURIComponent(who.token)}/leaderboard`;
      const csrf = checkCsrf(secrets.csrf, action, body[CSRF_FIELD], req.headers.cookie);
      if (csrf.problem !== undefined)
        return send(reply, 403, referralProblemPage(config, 'Please reload the page', `This form could not be accepted: ${csrf.problem}.`));
      if (!lbConfig?.enabled) return send(reply, 404, referralProblemPage(config, 'No leaderboard', 'This programme has no leaderboard.'));
      if (body.show !== 'yes' && body.show !== 'no')
        return send(reply, 400, referralProblemPage(config, 'Please reload the page', 'The form field `show` must be yes or no.'));
      const displayName = displayNameOf(who.state.traits);
      if (!displayName)
        return send(reply, 409, referralProblemPage(config, 'Not available', 'We do not have a first name to show for you.'));
      const nonce = createHash('sha256').update(csrf.nonce).digest('base64url').slice(0, 24);
      try {
        const result = await ctx.ingest.ingest({
          id: `leaderboard:${nonce}:${body.show}`,
          type: PREFERENCE_EVENT,
          customerId: who.customerId,
          occurredAt: new Date().toISOString(),
          data: { journeyId: who.journeyId, optIn: body.show === 'yes', displayName },
        });
        if (result.status === 'rejected') throw new Error(result.errors.map((e) => `${e.pointer}: ${e.message}`).join('; '));
      } catch (err) {
        if (!(err instanceof EventNotTaken)) throw err;
        return send(
          reply.header('retry-after', '30'),
          503,
          referralProblemPage(config, 'Please try again', 'We could not save this just now. Please try again in a minute.'),
        );
      }
      boards.forget(who.journeyId);
      // Post/redirect/get: a reload shows the page, not the form again.
      return reply
        .code(303)
        .header('location', `/a/${encodeURIComponent(who.token)}?saved=1`)
        .send();
    });
  });
}
