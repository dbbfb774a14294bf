// The advocate's status page link (`<JOURNEY_PUBLIC_URL>/a/<token>`, api/pages/status-routes.ts), in every ask and
// thank-you as {{statusUrl}}, and the hosted referral page (`/r/<code>`) as {{referralPageUrl}}. The token names
// the customer, the journey and an expiry, and reveals none of them (a sealed token, activities/email/sealed-token.ts,
// keyed from the unsubscribe-link secret the worker and the API already share, under its own label, so an
// unsubscribe token is never a status token).
import { openToken, sealToken } from './sealed-token.ts';
import type { SendEmailRequest } from '../../workflows/contract/index.ts';
import { durationMs } from '../../definitions/duration.ts';
import { loadPagesConfigFromEnv } from '../../definitions/pages.ts';
import type { UnsubscribeSettings } from './unsubscribe-link.ts';

const DAY_MS = 86_400_000;
/** How long a status link stays valid when the pages config says nothing. */
export const DEFAULT_STATUS_LINK_VALIDITY_MS = 90 * DAY_MS;
const LABEL = 'advocate-status';

export interface StatusSubject {
  customerId: string;
  journeyId: string;
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
}

/** The signed token of one advocate in one journey, valid until `expiresAt` (rounded up to whole days). */
export function statusToken(secret: string, subject: StatusSubject): string {
  return sealToken(secret, LABEL, [subject.customerId, subject.journeyId], subject.expiresAt);
}

export type StatusTokenRead = { ok: true; subject: StatusSubject } | { ok: false; reason: 'invalid' | 'expired' };

/** The advocate a token was signed for; `expired` once its day has passed, `invalid` when it is not one of ours. */
export function readStatusToken(secret: string, token: string, nowMs: number = Date.now()): StatusTokenRead {
  const opened = openToken(secret, LABEL, token, 2, nowMs);
  if (!opened.ok) return opened;
  const [customerId, journeyId] = opened.fields;
  return { ok: true, subject: { customerId, journeyId, expiresAt: opened.expiresAt } };
}

/** The status link's validity from the pages config (JOURNEY_PAGES or the shipped definitions/pages.json). */
export function statusLinkValidityFromEnv(env: NodeJS.ProcessEnv): number {
  const given = loadPagesConfigFromEnv(env).statusPage.linkValidity;
  return given ? durationMs(given) : DEFAULT_STATUS_LINK_VALIDITY_MS;
}

/**
 * The request with {{statusUrl}} (every message to the customer: asks, reminders, thank-yous) and, when the model
 * has the advocate's referral code, {{referralPageUrl}}. An owner's task (model.task) gets neither: the status page
 * is the advocate's own.
 */
export function withPageLinks(
  req: SendEmailRequest,
  links: UnsubscribeSettings,
  validityMs: number,
  nowMs: number = Date.now(),
): SendEmailRequest {
  if ('task' in req.model) return req;
  const token = statusToken(links.secret, { customerId: req.customerId, journeyId: req.journeyId, expiresAt: nowMs + validityMs });
  const code = req.model.referralCode;
  return {
    ...req,
    model: {
      ...req.model,
      statusUrl: `${links.publicUrl}/a/${token}`,
      ...(typeof code === 'string' && code ? { referralPageUrl: `${links.publicUrl}/r/${encodeURIComponent(code)}` } : {}),
    },
  };
}
