// The recipient's own unsubscribe link (RFC 8058), served at /u/<token> outside /v1: no API key, the signed token
// (activities/email/unsubscribe-link.ts) is the credential and names the customer and the journey.
//   POST /u/<token>       one click (a mail client's List-Unsubscribe-Post, or the page's button): opted out of
//                         every journey at once; 200, or a 503 the client retries while Temporal does not answer
//   GET  /u/<token>       a small page: "stop these emails?" with the button, or "you are unsubscribed" with an undo
//                         (a GET changes nothing: mail scanners open links before people do)
//   POST /u/<token>/undo  the undo: back in, only for an opt-out this link made
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { customerStateQuery, customerWorkflowId, UNSUBSCRIBE_LINK_ACTOR } from '../../workflows/contract/index.ts';
import { readUnsubscribeToken, unsubscribeSecretFromEnv } from '../../activities/email/unsubscribe-link.ts';
import type { ApiContext } from '../context.ts';
import { withDeadline } from '../temporal-calls.ts';
import { optBackIntoEveryJourney, optOutOfEveryJourney } from '../opt-out.ts';
import { unsubscribePage, type PageState } from './unsubscribe-page.ts';
import { idPattern } from '../schemas.ts';
import { errorBody } from '../errors.ts';

const ID = new RegExp(idPattern);

const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } } };

/** A browser (the page's form) gets the page back; a mail client's one-click POST gets JSON. */
const wantsHtml = (req: FastifyRequest) => String(req.headers.accept ?? '').includes('text/html');

export async function registerUnsubscribeRoutes(app: FastifyInstance, ctx: ApiContext) {
  const secret = ctx.opts.unsubscribeSecret ?? unsubscribeSecretFromEnv({ JOURNEY_REFERRAL_CODE_SECRET: ctx.opts.referralCodeSecret });
  const journeyName = (journeyId: string) => ctx.registry.current().find((p) => p.journeyId === journeyId)?.name ?? journeyId;

  function answer(req: FastifyRequest, reply: FastifyReply, status: number, page: PageState, json: object) {
    if (wantsHtml(req) || req.method === 'GET')
      return reply.code(status).type('text/html; charset=utf-8').send(unsubscribePage(page, ctx.opts.pages));
    return reply.code(status).send(json);
  }

  /** The token's customer and journey, or the 404 answer already sent. */
  function subject(req: FastifyRequest, reply: FastifyReply) {
    const signed = readUnsubscribeToken(secret, (req.params as { token: string }).token);
    // The engine signs links only for ids the API accepts; any other id (a leaked secret, a link from a build with
    // other rules) could never name a run, and Temporal would refuse it: the link is not valid, never a 503 retried.
    const found = signed && ID.test(signed.customerId) && ID.test(signed.journeyId) ? signed : undefined;
    if (!found) {
      void answer(
        req,
        reply,
        404,
        { kind: 'invalid' },
        errorBody(req.id, 'not_found', 'this unsubscribe link is not valid', [
          { in: 'path', pointer: '/token', message: 'not a link this engine signed' },
        ]),
      );
    }
    return found;
  }

  // RFC 8058's POST body is multipart/form-data or urlencoded (List-Unsubscribe=One-Click): any body is taken, none read.
  await app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    const schema = { hide: true, params: tokenParams };

    scope.get('/u/:token', { schema }, async (req, reply) => {
      const who = subject(req, reply);
      if (!who) return reply;
      const base = { journey: journeyName(who.journeyId), token: (req.params as { token: string }).token };
      // The profile only picks the page's wording. When Temporal does not answer, the recipient still gets the
      // button (its POST records the opt-out, or answers 503 to retry): a 500 would leave them no way out.
      const profile = await withDeadline(ctx, () =>
        ctx.client.workflow.getHandle(customerWorkflowId(who.customerId)).query(customerStateQuery),
      ).catch((err) => {
        if (!(err instanceof WorkflowNotFoundError)) {
          ctx.metrics.temporalErrors.inc({ operation: 'unsubscribePage' });
          req.log.warn({ err: (err as Error).message }, 'unsubscribe page: the customer profile could not be read; showing the button');
        }
        return undefined;
      });
      const optedOut = profile?.optedOut as { by?: string } | null | undefined;
      const byLink = optedOut?.by === UNSUBSCRIBE_LINK_ACTOR;
      return answer(req, reply, 200, { ...base, kind: byLink ? 'unsubscribed' : optedOut ? 'opted-out-elsewhere' : 'ask' }, {});
    });

    scope.post('/u/:token', { schema }, async (req, reply) => {
      const who = subject(req, reply);
      if (!who) return reply;
      const base = { journey: journeyName(who.journeyId), token: (req.params as { token: string }).token };
      try {
        const done = await optOutOfEveryJourney(ctx, who.customerId, {
          actor: UNSUBSCRIBE_LINK_ACTOR,
          reason: `one-click unsubscribe from ${who.journeyId}`,
        });
        return answer(
          req,
          reply,
          200,
          { ...base, kind: 'unsubscribed' },
          { status: 'unsubscribed', journeys: done.journeys?.length ?? null },
        );
      } catch (err) {
        req.log.warn({ err: (err as Error).message }, 'unsubscribe not recorded');
        reply.header('retry-after', '60');
        return answer(
          req,
          reply,
          503,
          { ...base, kind: 'unavailable' },
          errorBody(req.id, 'temporal_unavailable', 'the unsubscribe could not be recorded now; try again', [
            { in: 'path', pointer: '/token', message: 'not recorded yet: try again' },
          ]),
        );
      }
    });

    scope.post('/u/:token/undo', { schema }, async (req, reply) => {
      const who = subject(req, reply);
      if (!who) return reply;
      const base = { journey: journeyName(who.journeyId), token: (req.params as { token: string }).token };
      try {
        await optBackIntoEveryJourney(ctx, who.customerId, { actor: UNSUBSCRIBE_LINK_ACTOR, reason: 'undid the unsubscribe' });
        return answer(req, reply, 200, { ...base, kind: 'resubscribed' }, { status: 'subscribed' });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)
          return answer(
            req,
            reply,
            409,
            { ...base, kind: 'opted-out-elsewhere' },
            errorBody(req.id, 'refused', 'this opt-out was not made with this link', [
              { in: 'path', pointer: '/token', message: 'this link did not make the opt-out it would undo' },
            ]),
          );
        reply.header('retry-after', '60');
        return answer(
          req,
          reply,
          503,
          { ...base, kind: 'unavailable' },
          errorBody(req.id, 'temporal_unavailable', 'try again', [
            { in: 'path', pointer: '/token', message: 'not recorded yet: try again' },
          ]),
        );
      }
    });
  });
}
