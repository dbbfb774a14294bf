// Requests, results and failure types of the CRM activities (activities/crm): the owner task of the 1:1 motion and
// the referral records written back to the CRM. The interpreter builds the requests; the provider the worker is
// configured with (the built-in default: email to the owner + files in the data folder; or a CRM webhook) takes them.
import type { SendEmailRequest } from './email-activity.ts';

export interface OwnerTaskRequest {
  /** The task's id and idempotency key (`<workflowId>:<cycle>:owner-task:<motion>`): one task per key, ever. The CRM
   *  keeps it in its journey task id field and sends it back in owner_task.completed / declined. */
  taskId: string;
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  journeyName: string;
  motion: string;
  owner: { email: string; name?: string; timezone: string };
  /** When the owner's answer is due (ISO); after it the run counts the task as not answered. */
  dueAt: string;
  /** Why this account was picked (the qualify rule's reason). */
  reason?: string;
  account: { company?: string; segment?: string; arr?: number };
  /** The task as an email to the owner: the default provider sends it; the CRM provider renders its subject and
   *  body into the task. Built like every ask (workflows/stages/invite-message.ts). */
  email: SendEmailRequest;
}

export interface OwnerTaskResult {
  taskId: string;
  provider: 'email' | 'crm-webhook';
  /** already-created: a retry (or an earlier run) had created it; nothing was created twice. */
  status: 'created' | 'already-created';
}

export type ReferralStage = 'submitted' | 'qualified' | 'opportunity' | 'closed-won' | 'closed-lost' | 'reversed';

/** One referral as the CRM keeps it, written at each stage (upsert by referralId; idempotent per stage). */
export interface ReferralRecordRequest {
  /** `referral:<journeyId>:<advocateId>:<referralId>:<stage>`: a stage written twice is written once. */
  idempotencyKey: string;
  referralId: string;
  stage: ReferralStage;
  /** Where the referral came from: always `advocacy-journey`, with the journey and the code the friend used. */
  source: {
    kind: 'advocacy-journey';
    journeyId: string;
    journeyVersion: number;
    journeyName: string;
    referralCode?: string;
    /** Where the referral came in (referral.submitted's data.source, e.g. referral-page). */
    channel?: string;
  };
  /** The advocate: the customer whose run the referral belongs to. */
  advocate: { customerId: string; email?: string; name?: string; company?: string };
  /** The referred friend, as the referral form gave them (absent on later stages' events). */
  referred?: { email?: string; name?: string; company?: string; role?: string; customerId?: string; context?: string };
  /** The deal's amount at opportunity / closed-won. */
  amount?: number;
  currency?: string;
  /** When the stage happened (workflow time, ISO). */
  at: string;
}

export interface ReferralRecordResult {
  /** none: no CRM is configured (the built-in provider); the stage is in the tracking log only. */
  provider: 'none' | 'crm-webhook';
  status: 'written' | 'already-written' | 'no-crm';
}

/** ApplicationFailure types of the CRM activities (non-retryable). */
export const CRM_FAILURE = {
  /** The CRM webhook refused the record for good (a 4xx other than 408/409/425/429): needs an operator. */
  rejected: 'CrmRejected',
  /** The built-in provider could not email the owner (no such mailbox, invalid address): never the customer's fault. */
  ownerUnreachable: 'OwnerUnreachable',
} as const;
