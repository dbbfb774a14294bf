// Referral codes: opaque to the people who see them, resolvable by the API back to the advocate (and the journey
// that asked) without a lookup table, and not forgeable without the secret.
// Format: `rc_` + base64url(iv ‖ AES-256-CTR(customer id)), iv = HMAC-SHA256(macKey, journeyId NUL customerId)[0..12]
// (a synthetic IV, as in SIV: the same advocate in the same journey always gets the same code, and decrypting then
// recomputing the IV authenticates it). The API mints the code when it starts a run (JourneyRunInput.referralCode).
// Old codes (`ref_` + base64url(customer id)) still resolve for runs that started before opaque codes; those runs
// are the only ones that accept them (workflows/journey/referral-code.ts).
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'rc_';
const LEGACY_PREFIX = 'ref_';
const IV_BYTES = 12;
/** Dev-only default: set JOURNEY_REFERRAL_CODE_SECRET in production (codes minted with this one are forgeable). */
export const DEV_REFERRAL_CODE_SECRET = 'journey-engine-dev-referral-code-secret';

/**
 * JOURNEY_REFERRAL_CODE_SECRET. Required: with the public dev default anybody could mint a valid code for any
 * customer, so the API process refuses to start without one unless JOURNEY_DEV_MODE=1 (npm start keeps a
 * generated secret in its data folder). Throws a one-line message naming the variable.
 */
export function referralCodeSecretFromEnv(env: NodeJS.ProcessEnv): string {
  const secret = env.JOURNEY_REFERRAL_CODE_SECRET;
  if (secret) {
    if (secret.length < 16) throw new Error('JOURNEY_REFERRAL_CODE_SECRET must be at least 16 characters (e.g. `openssl rand -hex 32`)');
    return secret;
  }
  if (env.JOURNEY_DEV_MODE === '1') return DEV_REFERRAL_CODE_SECRET;
  throw new Error(
    'JOURNEY_REFERRAL_CODE_SECRET is not set: referral codes would be forgeable with the public dev default. Set it (e.g. `openssl rand -hex 32`; keep it stable, codes already sent depend on it) or JOURNEY_DEV_MODE=1.',
  );
}

/** The keys derived from each secret, once: a process has one or two secrets, and every code it mints or reads needs them. */
const derived = new Map<string, { enc: Buffer; mac: Buffer }>();

function keys(secret: string) {
  let k = derived.get(secret);
  if (!k) {
    k = {
      enc: createHmac('sha256', secret).update('referral-code:enc').digest(),
      mac: createHmac('sha256', secret).update('referral-code:mac').digest(),
    };
    if (derived.size >= 8) derived.clear();
    derived.set(secret, k);
  }
  return k;
}

function syntheticIv(macKey: Buffer, journeyId: string, customerId: string): Buffer {
  return createHmac('sha256', macKey).update(`${journeyId}\u0000${customerId}`, 'utf8').digest().subarray(0, IV_BYTES);
}

function ctr(encKey: Buffer, iv: Buffer, input: Buffer): Buffer {
  const counter = Buffer.concat([iv, Buffer.alloc(16 - IV_BYTES)]);
  const cipher = createCipheriv('aes-256-ctr', encKey, counter);
  return Buffer.concat([cipher.update(input), cipher.final()]);
}

/** The advocate's code in one journey. */
export function mintReferralCode(secret: string, journeyId: string, customerId: string): string {
  const k = keys(secret);
  const iv = syntheticIv(k.mac, journeyId, customerId);
  return PREFIX + Buffer.concat([iv, ctr(k.enc, iv, Buffer.from(customerId, 'utf8'))]).toString('base64url');
}

export interface ResolvedReferralCode {
  customerId: string;
  /** The journey that minted it; undefined for an old code (those name no journey). */
  journeyId?: string;
  legacy: boolean;
}

/** The advocate (and journey) a code belongs to, trying each candidate journey; undefined when it is not one of ours. */
export function resolveReferralCode(secret: string, code: string, journeyIds: readonly string[]): ResolvedReferralCode | undefined {
  if (code.startsWith(LEGACY_PREFIX)) {
    const customerId = customerIdFromLegacyCode(code);
    return customerId ? { customerId, legacy: true } : undefined;
  }
  if (!code.startsWith(PREFIX)) return undefined;
  const body = code.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const raw = Buffer.from(body, 'base64url');
  if (raw.length <= IV_BYTES) return undefined;
  const k = keys(secret);
  const iv = raw.subarray(0, IV_BYTES);
  const customerId = ctr(k.enc, iv, raw.subarray(IV_BYTES)).toString('utf8');
  const journeyId = journeyIds.find((j) => timingSafeEqual(syntheticIv(k.mac, j, customerId), iv));
  return journeyId ? { customerId, journeyId, legacy: false } : undefined;
}

/** The old, reversible format: `ref_` + base64url(UTF-8 customer id). Still minted by runs from before opaque codes. */
export function legacyReferralCodeFor(customerId: string): string {
  return LEGACY_PREFIX + Buffer.from(customerId, 'utf8').toString('base64url');
}

function customerIdFromLegacyCode(code: string): string | undefined {
  const body = code.slice(LEGACY_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const id = Buffer.from(body, 'base64url').toString('utf8');
  // A round trip guards against codes that decode to something else (padding tricks, invalid UTF-8).
  return id && legacyReferralCodeFor(id) === code ? id : undefined;
}
