// The owner's Done / Decline links in the owner-task email (`<JOURNEY_PUBLIC_URL>/o/<token>`, api/pages/owner-task-routes.ts).
// The token names the task, its journey and customer, and an expiry, and reveals none of them (the task id holds the
// workflow id, which holds the customer id): the payload is encrypted (AES-256-CTR with a synthetic IV, as the status
// links) and the IV and ciphertext are HMAC-signed (encrypt-then-MAC). The keys are derived from the page-link secret
// the worker and the API already share (JOURNEY_UNSUBSCRIBE_SECRET, else JOURNEY_REFERRAL_CODE_SECRET, else the dev
// default) with their own labels, so no other page's token opens this page. The link outlives the task's answerWithin
// deadline by a margin (an owner who opens it late sees the task closed, not a broken link), rounded up to the day so
// an activity retry renders the same link.
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { OwnerTaskRequest } from '../../workflows/contract/index.ts';
import type { UnsubscribeSettings } from '../email/unsubscribe-link.ts';

const IV_BYTES = 12;
const MAC_CHARS = 32; // 24 bytes of HMAC-SHA256, base64url
const DAY_MS = 86_400_000;
/** How long after the task's due time its links still open the page (to show what happened). */
export const OWNER_LINK_MARGIN_MS = 7 * DAY_MS;

function keys(secret: string) {
  return {
    enc: createHmac('sha256', secret).update('owner-task:enc').digest(),
    mac: createHmac('sha256', secret).update('owner-task:mac').digest(),
  };
}

function ctr(key: Buffer, iv: Buffer, input: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.concat([iv, Buffer.alloc(16 - IV_BYTES)]));
  return Buffer.concat([cipher.update(input), cipher.final()]);
}

const sign = (macKey: Buffer, body: string) => createHmac('sha256', macKey).update(body).digest('base64url').slice(0, MAC_CHARS);

export interface OwnerTaskSubject {
  taskId: string;
  journeyId: string;
  customerId: string;
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
}

/** The signed token of one owner task, valid until `expiresAt` (rounded up to whole days). */
export function ownerTaskToken(secret: string, subject: OwnerTaskSubject): string {
  const k = keys(secret);
  const expDays = Math.ceil(subject.expiresAt / DAY_MS);
  const plain = Buffer.from(JSON.stringify([subject.taskId, subject.journeyId, subject.customerId, expDays]), 'utf8');
  const iv = createHmac('sha256', k.mac).update(plain).digest().subarray(0, IV_BYTES);
  const body = Buffer.concat([iv, ctr(k.enc, iv, plain)]).toString('base64url');
  return `${body}.${sign(k.mac, body)}`;
}

export type OwnerTaskTokenRead = { ok: true; subject: OwnerTaskSubject } | { ok: false; reason: 'invalid' | 'expired' };

/** The task a token was signed for; `expired` once its day has passed, `invalid` when it is not one of ours. */
export function readOwnerTaskToken(secret: string, token: string, nowMs: number = Date.now()): OwnerTaskTokenRead {
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
    const [taskId, journeyId, customerId, expDays] = JSON.parse(
      ctr(k.enc, raw.subarray(0, IV_BYTES), raw.subarray(IV_BYTES)).toString('utf8'),
    ) as unknown[];
    if (typeof taskId !== 'string' || typeof journeyId !== 'string' || typeof customerId !== 'string' || typeof expDays !== 'number')
      return { ok: false, reason: 'invalid' };
    const expiresAt = expDays * DAY_MS;
    return nowMs > expiresAt ? { ok: false, reason: 'expired' } : { ok: true, subject: { taskId, journeyId, customerId, expiresAt } };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}

/**
 * The owner-task request with its links in the email's model: {{ownerTaskUrl}} (the task's page) and
 * {{ownerTaskDoneUrl}} / {{ownerTaskDeclineUrl}} (the same page, the button to press pre-selected: opening either
 * changes nothing, the owner confirms with a POST), and a plain-text part beside the HTML one, links kept.
 */
export function withOwnerTaskLinks(req: OwnerTaskRequest, links: UnsubscribeSettings): OwnerTaskRequest {
  const due = Date.parse(req.dueAt);
  const expiresAt = (Number.isFinite(due) ? due : Date.now()) + OWNER_LINK_MARGIN_MS;
  const token = ownerTaskToken(links.secret, { taskId: req.taskId, journeyId: req.journeyId, customerId: req.customerId, expiresAt });
  const url = `${links.publicUrl}/o/${token}`;
  return {
    ...req,
    email: {
      ...req.email,
      plainTextPart: true,
      model: {
        ...req.email.model,
        ownerTaskUrl: url,
        ownerTaskDoneUrl: `${url}?answer=done`,
        ownerTaskDeclineUrl: `${url}?answer=decline`,
      },
    },
  };
}
