// The sealed tokens in the pages' links (the advocate status page's /a/<token>, activities/email/status-link.ts; the
// owner task page's /o/<token>, activities/crm/owner-task-link.ts): a few string fields and an expiry, revealing
// none of them. The payload is encrypted (AES-256-CTR with a synthetic IV, as the referral codes) and the IV and
// ciphertext are HMAC-signed (encrypt-then-MAC). Each kind of token derives its keys from the shared page-link
// secret with its own label, so a token of one page never opens another. The expiry is rounded up to the day, so
// an activity retry renders the same link.
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

const IV_BYTES = 12;
const MAC_CHARS = 32; // 24 bytes of HMAC-SHA256, base64url
const DAY_MS = 86_400_000;

function keys(secret: string, label: string) {
  return {
    enc: createHmac('sha256', secret).update(`${label}:enc`).digest(),
    mac: createHmac('sha256', secret).update(`${label}:mac`).digest(),
  };
}

function ctr(key: Buffer, iv: Buffer, input: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.concat([iv, Buffer.alloc(16 - IV_BYTES)]));
  return Buffer.concat([cipher.update(input), cipher.final()]);
}

const sign = (macKey: Buffer, body: string) => createHmac('sha256', macKey).update(body).digest('base64url').slice(0, MAC_CHARS);

/** The token of `fields`, valid until `expiresAt` (epoch ms, rounded up to whole days). */
export function sealToken(secret: string, label: string, fields: string[], expiresAt: number): string {
  const k = keys(secret, label);
  const plain = Buffer.from(JSON.stringify([...fields, Math.ceil(expiresAt / DAY_MS)]), 'utf8');
  const iv = createHmac('sha256', k.mac).update(plain).digest().subarray(0, IV_BYTES);
  const body = Buffer.concat([iv, ctr(k.enc, iv, plain)]).toString('base64url');
  return `${body}.${sign(k.mac, body)}`;
}

export type OpenedToken = { ok: true; fields: string[]; expiresAt: number } | { ok: false; reason: 'invalid' | 'expired' };

/** The `count` fields a token of this label was sealed with; `expired` once its day has passed, `invalid` when it is not one of ours. */
export function openToken(secret: string, label: string, token: string, count: number, nowMs: number): OpenedToken {
  const [body, given, extra] = token.split('.');
  if (!body || !given || extra !== undefined || body.length > 3000 || !/^[A-Za-z0-9_-]+$/.test(body))
    return { ok: false, reason: 'invalid' };
  const k = keys(secret, label);
  const expected = Buffer.from(sign(k.mac, body));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'invalid' };
  const raw = Buffer.from(body, 'base64url');
  if (raw.length <= IV_BYTES) return { ok: false, reason: 'invalid' };
  try {
    const parsed = JSON.parse(ctr(k.enc, raw.subarray(0, IV_BYTES), raw.subarray(IV_BYTES)).toString('utf8')) as unknown[];
    const fields = parsed.slice(0, count);
    const expDays = parsed[count];
    if (fields.length !== count || !fields.every((f): f is string => typeof f === 'string') || typeof expDays !== 'number')
      return { ok: false, reason: 'invalid' };
    const expiresAt = expDays * DAY_MS;
    return nowMs > expiresAt ? { ok: false, reason: 'expired' } : { ok: true, fields, expiresAt };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}
