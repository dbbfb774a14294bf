// One-click unsubscribe (RFC 8058): every ask carries List-Unsubscribe with an https URL and a mailto, and
// List-Unsubscribe-Post: List-Unsubscribe=One-Click. The URL is `<JOURNEY_PUBLIC_URL>/u/<token>`, the token an
// HMAC-signed (customer, journey) pair that the API (api/routes/unsubscribe.ts) verifies with the same secret: it
// needs no lookup, and nobody can opt out someone else without the secret. Built by the email activity (the secret
// and the public URL are the worker's settings; the workflow never sees either).
import { isProductionMode } from '../../definitions/production-mode.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SendEmailRequest } from '../../workflows/contract/index.ts';

export interface UnsubscribeSettings {
  /** Where the API is reached by recipients, e.g. https://journeys.acme.com (no trailing slash). */
  publicUrl: string;
  secret: string;
  /** The mailbox of the mailto form (List-Unsubscribe's second URI). */
  mailbox: string;
}

/** The dev default (npm start, tests, the outbox): links minted with it are forgeable, so real sending refuses it. */
export const DEV_UNSUBSCRIBE_SECRET = 'journey-engine-dev-unsubscribe-secret';
const MAC_CHARS = 32; // 24 bytes of HMAC-SHA256, base64url

/** JOURNEY_UNSUBSCRIBE_SECRET, else a key derived from JOURNEY_REFERRAL_CODE_SECRET (one secret to keep, as the API
 *  already needs that one), else the dev default. The worker and the API call this with their environment. */
export function unsubscribeSecretFromEnv(env: NodeJS.ProcessEnv): string {
  if (env.JOURNEY_UNSUBSCRIBE_SECRET) return env.JOURNEY_UNSUBSCRIBE_SECRET;
  if (env.JOURNEY_REFERRAL_CODE_SECRET)
    return createHmac('sha256', env.JOURNEY_REFERRAL_CODE_SECRET).update('unsubscribe-link').digest('hex');
  return DEV_UNSUBSCRIBE_SECRET;
}

/**
 * The worker's link settings. In production mode (real sending: POSTMARK_SERVER_TOKEN set, JOURNEY_DEV_MODE not 1)
 * JOURNEY_PUBLIC_URL must be an https URL and the secret not the dev default: refused at start, naming the variable.
 * Otherwise the links point at the local API (JOURNEY_API_PORT, default 3000).
 */
export function unsubscribeSettingsFromEnv(env: NodeJS.ProcessEnv): UnsubscribeSettings {
  const production = isProductionMode(env);
  const secret = unsubscribeSecretFromEnv(env);
  const given = env.JOURNEY_PUBLIC_URL?.trim().replace(/\/+$/, '');
  if (production && !given)
    throw new Error('JOURNEY_PUBLIC_URL is not set: every ask carries an unsubscribe link to it (e.g. https://journeys.example.com)');
  if (production && !/^https:\/\/[^/\s]+/.test(given!)) throw new Error(`JOURNEY_PUBLIC_URL=${given} must be an https URL`);
  if (production && secret === DEV_UNSUBSCRIBE_SECRET)
    throw new Error('JOURNEY_UNSUBSCRIBE_SECRET (or JOURNEY_REFERRAL_CODE_SECRET) is not set: unsubscribe links would be forgeable');
  const publicUrl = given || `http://127.0.0.1:${env.JOURNEY_API_PORT || 3000}`;
  const from = env.JOURNEY_EMAIL_FROM?.trim();
  const domain = from?.match(/@([^>\s]+)>?$/)?.[1] ?? 'example.com';
  return { publicUrl, secret, mailbox: env.JOURNEY_UNSUBSCRIBE_MAILTO?.trim() || `unsubscribe@${domain}` };
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url').slice(0, MAC_CHARS);
}

/** The signed token for one customer in one journey (URL-path safe: base64url and one dot). */
export function unsubscribeToken(secret: string, customerId: string, journeyId: string): string {
  const payload = Buffer.from(JSON.stringify([customerId, journeyId]), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** The customer and journey a token was signed for, or undefined when it is not one of ours. */
export function readUnsubscribeToken(secret: string, token: string): { customerId: string; journeyId: string } | undefined {
  const [payload, given, extra] = token.split('.');
  if (!payload || !given || extra !== undefined || payload.length > 2000) return undefined;
  const expected = Buffer.from(mac(secret, payload));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  try {
    const [customerId, journeyId] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    return typeof customerId === 'string' && typeof journeyId === 'string' ? { customerId, journeyId } : undefined;
  } catch {
    return undefined;
  }
}

/** The request with its links: List-Unsubscribe's two URIs for an ask, and {{unsubscribeLink}} for every template. */
export function withUnsubscribeLinks(req: SendEmailRequest, settings: UnsubscribeSettings): SendEmailRequest {
  const token = unsubscribeToken(settings.secret, req.customerId, req.journeyId);
  const url = `${settings.publicUrl}/u/${token}`;
  const mailto = `mailto:${settings.mailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
  const ask = req.messageStream === 'broadcast';
  // The template's {{unsubscribeLink}} / {{unsubscribeUrl}} (the interpreter puts a placeholder in every ask's model).
  const inModel = ask || 'unsubscribeLink' in req.model || 'unsubscribeUrl' in req.model;
  return {
    ...req,
    ...(inModel ? { model: { ...req.model, unsubscribeUrl: url, unsubscribeLink: url } } : {}),
    ...(ask ? { unsubscribeUrl: url, unsubscribeMailto: mailto } : {}),
  };
}
