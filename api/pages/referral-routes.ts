// GET/POST /r/<code>: the hosted referral page. A submission becomes one `referral.submitted` event for the
// advocate the code names, taken by the same ingest as POST /v1/events (catalog check, routing to the journeys and
// the customer workflow, answer kept by event id). Exactly once: the event id comes from the form's CSRF nonce (one
// per rendered form), so a double click, a resent POST or a reload sends the same event, which ingest answers as a
// duplicate and the run drops by id; the referral id comes from the code and the friend's email, so the same friend
// submitted twice from two page loads is still one referral in the run.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PagesConfig } from '../../definitions/pages.ts';
import type { ApiContext } from '../context.ts';
import type { JourneyEvent } from '../../workflows/contract/index.ts';
import { EventNotTaken, type EventResult } from '../ingest.ts';
import { ReferralCodeLookup } from './advocate-lookup.ts';
import { DEFAULT_WAIT_MS, SubmissionQueue } from './submission-queue.ts';
import { checkCsrf, csrfCookieHeader, issueCsrf, CSRF_FIELD } from './csrf.ts';
import { PAGE_HEADERS, pageErrorHandler } from './layout.ts';
import { describeItem, formatterFor, referralMotion } from './programme.ts';
import { limiterFor, limitReachedMessage } from './rate-limit.ts';
import {
  EMPTY_FORM,
  HONEYPOT_FIELD,
  readForm,
  referralInvalidPage,
  referralPage,
  referralProblemPage,
  referralThanksPage,
  type ReferralForm,
} from './referral-page.ts';
import type { CodeLookup } from './advocate-lookup.ts';
import { onAdvocateRevoked, revokeOnSuppressingEvents } from '../advocate-revocations.ts';

const codeParams = { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 300 } } };
const ANSWERS_MAX = 10_000;

/** "Ada" from the run's traits; never the surname or the id. */
export function firstNameOf(traits: Record<string, unknown>): string | undefined {
  const first = typeof traits.firstName === 'string' ? traits.firstName.trim() : '';
  return first ? first.slice(0, 60) : undefined;
}

const sha = (s: string, n: number) => createHash('sha256').update(s).digest('base64url').slice(0, n);

export interface PageSecrets {
  csrf: string;
}

export async function registerReferralPageRoutes(app: FastifyInstance, ctx: ApiContext, config: PagesConfig, secrets: PageSecrets) {
  const lookup = new ReferralCodeLookup(ctx);
  // An opt-out this process takes revokes the advocate's code here at once (api/advocate-revocations.ts).
  onAdvocateRevoked(ctx, (customerId) => lookup.forgetCustomer(customerId));
  revokeOnSuppressingEvents(ctx);
  // Every submission is written here before the page answers, and sent again until Temporal takes it.
  const submissions = new SubmissionQueue({
    dataDir: ctx.dataDir,
    ingest: (event) => ctx.ingest.ingest(event),
    log: app.log,
    onPending: (n) => ctx.metrics.referralSubmissionsPending.set(n),
  });
  submissions.start();
  app.addHook('onClose', async () => submissions.close());
  const waitMs = ctx.opts.referralPageWaitMs ?? DEFAULT_WAIT_MS;
  const f = formatterFor(config);
  const limits = config.referralPage.rateLimits ?? {};
  const perIp = limiterFor(limits.perIp, { name: 'per IP address', max: 10 });
  const perCode = limiterFor(limits.perCode, { name: 'per referral code', max: 30 });
  /** Submissions by form nonce: a second POST of the same form gets the first one's answer. */
  const answers = new Map<string, { durable: Promise<void>; answer: Promise<EventResult> }>();

  const send = (reply: FastifyReply, status: number, html: string) => reply.code(status).headers(PAGE_HEADERS).send(html);
  const isHttps = (req: FastifyRequest) => req.protocol === 'https';

  function view(found: Extract<CodeLookup, { kind: 'active' }>, code: string, csrf: string, form: ReferralForm, problems = {}) {
    const offerItem = referralMotion(found.plan, found.state.motion)?.reward?.referred;
    const lastAsk = found.state.history.lastAskAt;
    return {
      code,
      advocate: firstNameOf(found.state.traits) ?? 'A customer',
      offer: offerItem ? describeItem(offerItem, f) : 'a warm welcome',
      invitedOn: lastAsk ? f.date(lastAsk) : undefined,
      csrf,
      form,
      problems,
    };
  }

  /** The code's advocate and run when `ask` says the code works; otherwise the page is sent and undefined returned. */
  async function found(req: FastifyRequest, reply: FastifyReply, ask: () => Promise<CodeLookup>) {
    let answer: CodeLookup;
    try {
      answer = await ask();
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'referral code lookup failed');
      void send(
        reply.header('retry-after', '30'),
        503,
        referralProblemPage(config, 'Please try again', 'We could not open this page just now. Please try again in a minute.'),
      );
      return undefined;
    }
    if (answer.kind === 'active') return answer;
    req.log.info(
      { outcome: answer.kind, reason: answer.kind === 'revoked' ? answer.reason : undefined },
      'referral page for an inactive code',
    );
    void send(reply, answer.kind === 'unknown' ? 404 : 410, referralInvalidPage(config));
    return undefined;
  }

  await app.register(async (scope) => {
    scope.setErrorHandler(pageErrorHandler(config, () => referralInvalidPage(config)));
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 32 * 1024 }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );

    scope.get('/r/:code', { schema: { hide: true, params: codeParams } }, async (req, reply) => {
      const { code } = req.params as { code: string };
      const active = await found(req, reply, () => lookup.lookup(code));
      if (!active) return reply;
      const path = `/r/${encodeURIComponent(code)}`;
      const pair = issueCsrf(secrets.csrf, path);
      reply.header('set-cookie', csrfCookieHeader(pair, path, isHttps(req)));
      return send(reply, 200, referralPage(config, view(active, code, pair.field, EMPTY_FORM)));
    });

    scope.post('/r/:code', { schema: { hide: true, params: codeParams } }, async (req, reply) => {
      const { code } = req.params as { code: string };
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
      for (const [limiter, key] of [
        [perIp, req.ip],
        [perCode, code],
      ] as const) {
        const verdict = limiter.hit(key);
        if (!verdict.allowed) {
          ctx.metrics.rejectEvents('referral.submitted', 'rate_limited');
          return send(
            reply.header('retry-after', String(verdict.retryAfter)),
            429,
            referralProblemPage(config, 'Too many submissions', limitReachedMessage(verdict)),
          );
        }
      }
      const path = `/r/${encodeURIComponent(code)}`;
      const csrf = checkCsrf(secrets.csrf, path, body[CSRF_FIELD], req.headers.cookie);
      if (csrf.problem !== undefined)
        return send(reply, 403, referralProblemPage(config, 'Please reload the page', `This form could not be accepted: ${csrf.problem}.`));
      // The cached lookup (an "active" answer up to the form's age) names the advocate; the run's stage from the Temporal
      // server (describe: no worker asked, unlike a query, which would wait on the worker, busiest exactly when referrals
      // come in: bench/pages.ts, p50 334 ms with it) decides whether the code still works. The describe runs while the
      // referral is sent, not before it: the page waits for one Temporal round trip, not two in a row, and for at most
      // waitMs (JOURNEY_REFERRAL_PAGE_WAIT_MS): the submission is on disk first (submission-queue.ts) and goes on being
      // sent after a late answer. A code the describe finds revoked (the run ended or opted out) gets the 410 page when
      // the answer comes in time; either way its run refuses the referral itself (event.ignored code-revoked), so a
      // referral on a code another process revoked is never taken.
      const timing: { lookupMs?: number; checkMs?: number; putMs?: number } = {};
      const check: { confirmed?: Promise<CodeLookup> } = {};
      const active = await found(req, reply, async () => {
        const opened = await lookup.openSubmission(code, timing);
        check.confirmed = opened.confirmed;
        return opened.answer;
      });
      if (!active) return reply;
      const advocate = firstNameOf(active.state.traits) ?? 'A customer';
      if (body[HONEYPOT_FIELD]) {
        // A bot filled the field people never see: it gets the same thank-you, and nothing is sent.
        req.log.info({ code: sha(code, 8) }, 'referral form honeypot filled: not sent');
        return send(reply, 200, referralThanksPage(config, advocate));
      }
      const { form, problems } = readForm(body);
      if (Object.keys(problems).length > 0)
        return send(reply, 400, referralPage(config, view(active, code, body[CSRF_FIELD], form, problems)));

      const ingested = performance.now();
      let submission = answers.get(csrf.nonce);
      if (!submission) {
        const event: JourneyEvent = {
          id: `referral-page:${sha(csrf.nonce, 24)}`,
          type: 'referral.submitted',
          customerId: active.customerId,
          occurredAt: new Date().toISOString(),
          data: {
            referralId: `rf_${sha(`${code}\u0000${form.email.toLowerCase()}`, 22)}`,
            referralCode: code,
            referredEmail: form.email,
            referredName: form.name,
            ...(form.company ? { referredCompany: form.company } : {}),
            ...(form.role ? { referredRole: form.role } : {}),
            ...(form.context ? { context: form.context } : {}),
            consent: true,
            source: 'referral-page',
          },
        };
        // Written to disk and sent at once, side by side: from the moment the file is there the submission is sent
        // until Temporal takes it, whatever the page says; the page never thanks before one of the two holds it.
        const durable = submissions.put(event);
        durable.then(
          () => (timing.putMs = performance.now() - ingested),
          (err: Error) => req.log.error({ err: err.message }, 'referral submission not written to the queue folder'),
        );
        submission = { durable, answer: submissions.send(event) };
        const mine = submission;
        answers.set(csrf.nonce, mine);
        if (answers.size > ANSWERS_MAX) answers.delete(answers.keys().next().value!);
        // Not taken (Temporal unavailable) is not an answer: the person's retry sends it again, with the same id.
        mine.answer.catch(() => answers.get(csrf.nonce) === mine && answers.delete(csrf.nonce));
      }
      const { durable, answer } = submission;
      let ingestMs = 0;
      const both = Promise.allSettled([check.confirmed!, answer.finally(() => (ingestMs = performance.now() - ingested))]);
      // The wait counts from the request's arrival (Fastify's elapsed time): the lookup, the checks and the write
      // before it are inside it, so the page answers about waitMs after the request came in, not waitMs after ingest
      // began.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = await Promise.race([
        both,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), Math.max(0, waitMs - reply.elapsedTime));
        }),
      ]);
      clearTimeout(timer);
      // Thanking promises the submission is kept: the page answers once Temporal took it or it is on disk (then sent
      // until Temporal takes it), whichever comes first.
      const held = () =>
        Promise.race([
          durable,
          answer.then(
            (r) => (r.status === 'accepted' ? undefined : durable),
            () => durable,
          ),
        ]);
      const timingHeader = () =>
        reply.header(
          'server-timing',
          `lookup;dur=${(timing.lookupMs ?? 0).toFixed(1)}, check;dur=${(timing.checkMs ?? 0).toFixed(1)}, ingest;dur=${waited ? ingestMs.toFixed(1) : `${waitMs}+`}, put;dur=${timing.putMs === undefined ? '-' : timing.putMs.toFixed(1)}, app;dur=${reply.elapsedTime.toFixed(1)}`,
        );
      if (!waited) {
        // Temporal is slower than the page waits: the friend is thanked as soon as the submission is on disk (or
        // Temporal took it meanwhile); it goes on being sent (taken once by its id). Should the check then find the code
        // revoked, the run refuses it.
        await held();
        timingHeader();
        req.log.info({ code: sha(code, 8), waitMs }, 'referral submission answered before Temporal took it: queued');
        return send(reply, 200, referralThanksPage(config, advocate));
      }
      const [checked, sent] = waited;
      timingHeader();
      if (checked.status === 'rejected' || (sent.status === 'rejected' && sent.reason instanceof EventNotTaken)) {
        // Temporal did not answer the check or did not take the event: it is on disk and sent again until it is taken.
        await held();
        const err = (checked.status === 'rejected' ? checked.reason : (sent as PromiseRejectedResult).reason) as Error;
        req.log.warn({ err: err.message }, 'referral submission queued: Temporal did not answer');
        return send(reply, 200, referralThanksPage(config, advocate));
      }
      if (checked.value.kind !== 'active') {
        req.log.info(
          { code: sha(code, 8), outcome: checked.value.kind, reason: checked.value.kind === 'revoked' ? checked.value.reason : undefined },
          'referral submitted on a code no longer valid: its run refuses it',
        );
        return send(reply, 410, referralInvalidPage(config));
      }
      if (sent.status === 'rejected') throw sent.reason;
      const result = sent.value;
      if (result.status === 'rejected') {
        req.log.warn({ errors: result.errors }, 'referral form event refused');
        const fields: Record<string, keyof ReferralForm> = { '/data/referredEmail': 'email', '/data/referredName': 'name' };
        const named = Object.fromEntries(
          result.errors.map((e) => [fields[e.pointer] ?? 'context', `${fields[e.pointer] ?? e.pointer}: ${e.message}`]),
        );
        return send(reply, 400, referralPage(config, view(active, code, body[CSRF_FIELD], form, named)));
      }
      // The code's journey took it only if its run was there to take it (a run gone since the check: never thanks).
      const taken = result.journeys.some((j) => j.journeyId === active.plan.journeyId && j.outcome !== 'not-routed');
      if (!taken) {
        lookup.forgetCustomer(active.customerId);
        req.log.info({ code: sha(code, 8) }, 'referral reached no open run of its journey: the code is no longer valid');
        return send(reply, 410, referralInvalidPage(config));
      }
      return send(reply, 200, referralThanksPage(config, advocate));
    });
  });
}
