// The owner's Done / Decline links in the owner-task email (`<JOURNEY_PUBLIC_URL>/o/<token>`, api/pages/owner-task-routes.ts).
// The token names the task, its journey and customer, and an expiry, and reveals none of them (the task id holds the
// workflow id, which holds the customer id): a sealed token (activities/email/sealed-token.ts, as the status links),
// keyed from the page-link secret the worker and the API already share (JOURNEY_UNSUBSCRIBE_SECRET, else
// JOURNEY_REFERRAL_CODE_SECRET, else the dev default) under its own label, so no other page's token opens this page.
// The link outlives the task's answerWithin deadline by a margin (an owner who opens it late sees the task closed,
// not a broken link), rounded up to the day so an activity retry renders the same link.
import { openToken, sealToken } from '../email/sealed-token.ts';
import type { OwnerTaskRequest } from '../../workflows/contract/index.ts';
import type { UnsubscribeSettings } from '../email/unsubscribe-link.ts';

const DAY_MS = 86_400_000;
/** How long after the task's due time its links still open the page (to show what happened). */
export const OWNER_LINK_MARGIN_MS = 7 * DAY_MS;
const LABEL = 'owner-task';

export interface OwnerTaskSubject {
  taskId: string;
  journeyId: string;
  customerId: string;
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
}

/** The signed token of one owner task, valid until `expiresAt` (rounded up to whole days). */
export function ownerTaskToken(secret: string, subject: OwnerTaskSubject): string {
  return sealToken(secret, LABEL, [subject.taskId, subject.journeyId, subject.customerId], subject.expiresAt);
}

export type OwnerTaskTokenRead = { ok: true; subject: OwnerTaskSubject } | { ok: false; reason: 'invalid' | 'expired' };

/** The task a token was signed for; `expired` once its day has passed, `invalid` when it is not one of ours. */
export function readOwnerTaskToken(secret: string, token: string, nowMs: number = Date.now()): OwnerTaskTokenRead {
  const opened = openToken(secret, LABEL, token, 3, nowMs);
  if (!opened.ok) return opened;
  const [taskId, journeyId, customerId] = opened.fields;
  return { ok: true, subject: { taskId, journeyId, customerId, expiresAt: opened.expiresAt } };
}

/** The task's three links: its page, and the same page with Done or Decline pre-selected. */
export interface OwnerTaskLinks {
  url: string;
  doneUrl: string;
  declineUrl: string;
}

/** The signed links of one task on the API's public URL (the same links on every retry: the expiry is whole days). */
export function ownerTaskLinks(req: OwnerTaskRequest, links: UnsubscribeSettings): OwnerTaskLinks {
  const due = Date.parse(req.dueAt);
  const expiresAt = (Number.isFinite(due) ? due : Date.now()) + OWNER_LINK_MARGIN_MS;
  const token = ownerTaskToken(links.secret, { taskId: req.taskId, journeyId: req.journeyId, customerId: req.customerId, expiresAt });
  const url = `${links.publicUrl}/o/${token}`;
  return { url, doneUrl: `${url}?answer=done`, declineUrl: `${url}?answer=decline` };
}

/**
 * The owner-task request with its links in the email's model: {{ownerTaskUrl}} (the task's page) and
 * {{ownerTaskDoneUrl}} / {{ownerTaskDeclineUrl}} (the same page, the button to press pre-selected: opening either
 * changes nothing, the owner confirms with a POST), and a plain-text part beside the HTML one, links kept.
 */
export function withOwnerTaskLinks(req: OwnerTaskRequest, links: OwnerTaskLinks): OwnerTaskRequest {
  return {
    ...req,
    email: {
      ...req.email,
      plainTextPart: true,
      model: { ...req.email.model, ownerTaskUrl: links.url, ownerTaskDoneUrl: links.doneUrl, ownerTaskDeclineUrl: links.declineUrl },
    },
  };
}
