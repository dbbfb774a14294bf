// The advocate's status page link (`<JOURNEY_PUBLIC_URL>/a/<token>`, api/pages/status-routes.ts), in every ask and
// thank-you as {{statusUrl}}, and the hosted referral page (`/r/<code>`) as {{referralPageUrl}}. The token names
// the customer, the journey and an expiry, and reveals none of them: the payload is encrypted (AES-256-CTR with a
// synthetic IV, as the referral codes) and the IV and ciphertext are HMAC-signed (encrypt-then-MAC). The keys are
// derived from the unsubscribe-link secret (one secret the worker and the API already share) with their own labels,
// so an unsubscribe token is never a status token. The expiry is rounded up to the day, so an activity retry
// renders the same link.
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { SendEmailRequest } from '../../workflows/contract/index.ts';
import { durationMs } from '../../definitions/duration.ts';
import { loadPagesConfigFromEnv } from '../../definitions/pages.ts';
import type { UnsubscribeSettings } from './unsubscribe-link.ts';

const IV_BYTES = 12;
const MAC_CHARS = 32; // 24 bytes of HMAC-SHA256, base64url
const DAY_MS = 86_400_000;
/** How long a status link stays valid when the pages config says nothing. */
export const DEFAULT_STATUS_LINK_VALIDITY_MS = 90 * DAY_MS;

function keys(secret: string) {
  return {
    enc: createHmac('sha256', secret).update('advocate-status:enc').digest(),
    mac: createHmac('sha256', secret).update('advocate-status:mac').digest(),
  };
}

function ctr(key: Buffer, iv: Buffer, input: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.concat([iv, Buffer.alloc(16 - IV_BYTES)]));
  return Buffer.concat([cipher.update(input), cipher.final()]);
}

const sign = (macKey: Buffer, body: string) => createHmac('sha256', macKey).update(body).digest('base64url').slice(0, MAC_CHARS);

export interface StatusSubject {
  customerId: string;
  journeyId: string;
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
}

/** The signed token of one advocate in one journey, valid until `expiresAt` (rounded up to whole days). */
export function statusToken(secret: string, subject: StatusSubject): string {
  const k = keys(secret);
  const expDays = Math.ceil(subject.expiresAt / DAY_MS);
  const plain = Buffer.from(JSON.stringify([subject.customerId, subject.journeyId, expDays]), 'utf8');
  const iv = createHmac('sha256', k.mac).update(plain).digest().subarray(0, IV_BYTES);
  const body = Buffer.concat([iv, ctr(k.enc, iv, plain)]).toString('base64url');
  return `${body}.${sign(k.mac, body)}`;
}

export type StatusTokenRead = { ok: true; subject: StatusSubject } | { ok: false; reason: 'invalid' | 'expired' };

/** The advocate a token was signed for; `expired` once its day has passed, `invalid` when it is not one of ours. */
export function readStatusToken(secret: string, token: string, nowMs: number = Date.now()): StatusTokenRead {
  const [body, given, extra] = token.split('.');
  if (!body || !given || extra !== undefined || body.length > 3000 || !/^[A-Za-z0-9_-]+$/.test(body))
    return { ok: false, reason: 'invalid' };
  const k = keys(secret);
  const expected = Buffer.from(sign(k.mac, body));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'invalid' };
  const raw = Buffer.from(body, 'base64url');
  if (raw.length <= IV_BYTES) return { ok: false, reason: 'invalid' };
  try {
    const [customerId, journeyId, expDays] = JSON.parse(
      ctr(k.enc, raw.subarray(0, IV_BYTES), raw.subarray(IV_BYTES)).toString('utf8'),
    ) as unknown[];
    if (typeof customerId !== 'string' || typeof journeyId !== 'string' || typeof expDays !== 'number')
      return { ok: false, reason: 'invalid' };
    const expiresAt = expDays * DAY_MS;
    return nowMs > expiresAt ? { ok: false, reason: 'expired' } : { ok: true, subject: { customerId, journeyId, expiresAt } };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
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
