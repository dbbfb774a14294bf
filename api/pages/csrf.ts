// CSRF protection of the page forms: a signed double-submit token. The GET that renders a form sets a random nonce
// in a SameSite=Strict, HttpOnly cookie and puts `<nonce>.<issued>.<mac>` in a hidden field, the mac an HMAC over
// the nonce, the issue time and the form's scope (its path). A POST is taken only when the field's signature holds,
// it is not older than maxAge, and the cookie carries the same nonce: another site can neither read the cookie nor
// mint a field, and a field copied from one form does not fit another. No server state is kept.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'je_csrf';
export const CSRF_FIELD = 'csrf';
const MAX_AGE_MS = 2 * 60 * 60 * 1000;

function mac(secret: string, scope: string, nonce: string, issued: number): string {
  return createHmac('sha256', secret).update(`csrf\u0000${scope}\u0000${nonce}\u0000${issued}`).digest('base64url').slice(0, 32);
}

export interface CsrfPair {
  /** The cookie's value (the nonce). */
  cookie: string;
  /** The hidden field's value. */
  field: string;
  nonce: string;
}

/** A fresh nonce for one rendered form of `scope` (e.g. /r/<code>). */
export function issueCsrf(secret: string, scope: string, nowMs: number = Date.now()): CsrfPair {
  const nonce = randomBytes(18).toString('base64url');
  const issued = Math.floor(nowMs / 1000);
  return { cookie: nonce, nonce, field: `${nonce}.${issued}.${mac(secret, scope, nonce, issued)}` };
}

/** The Set-Cookie header of a pair: sent back only to this site's own requests under `path`. */
export function csrfCookieHeader(pair: CsrfPair, path: string, secure: boolean): string {
  return `${CSRF_COOKIE}=${pair.cookie}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${MAX_AGE_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Why a posted form is refused (a message naming the field), or undefined when it is genuine; `nonce` when taken. */
export function checkCsrf(
  secret: string,
  scope: string,
  field: unknown,
  cookieHeader: string | undefined,
  nowMs: number = Date.now(),
): { problem: string; nonce?: undefined } | { problem?: undefined; nonce: string } {
  if (typeof field !== 'string' || !field)
    return { problem: `the form field \`${CSRF_FIELD}\` is missing: reload the page and send it again` };
  const [nonce, issuedText, given, extra] = field.split('.');
  const issued = Number(issuedText);
  if (!nonce || !given || extra !== undefined || !Number.isInteger(issued))
    return { problem: `the form field \`${CSRF_FIELD}\` is not a token this page issued` };
  const expected = Buffer.from(mac(secret, scope, nonce, issued));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    return { problem: `the form field \`${CSRF_FIELD}\` is not a token this page issued` };
  if (nowMs - issued * 1000 > MAX_AGE_MS || issued * 1000 - nowMs > 60_000)
    return { problem: `the form field \`${CSRF_FIELD}\` has expired: reload the page and send it again` };
  const cookie = cookieValue(cookieHeader, CSRF_COOKIE);
  if (!cookie)
    return { problem: `the cookie \`${CSRF_COOKIE}\` is missing (cookies blocked?): the form field \`${CSRF_FIELD}\` cannot be checked` };
  if (cookie !== nonce) return { problem: `the form field \`${CSRF_FIELD}\` does not match the cookie \`${CSRF_COOKIE}\`` };
  return { nonce };
}
