// Request, result, notice and failure types of the email activity (activities/email): the interpreter builds the
// request and reacts to the failure types; the activity's hooks receive the notices.
import type { LocalTemplate, PostmarkTemplate } from '../../definitions/generated/journey.ts';

/** How a template is named in records and logs: its Postmark alias, or the local template file. */
export function templateName(t: PostmarkTemplate | LocalTemplate): string {
  return 'alias' in t ? t.alias : t.file;
}

export interface SendEmailRequest {
  /** Idempotency key: workflow id + step + attempt number. The same key is never delivered twice. */
  sendKey: string;
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  /** e.g. `invite:referral:2` (motion, attempt). */
  step: string;
  to: string;
  template: PostmarkTemplate | LocalTemplate;
  /** For a local template: its file contents, pinned in the compiled plan. */
  localTemplateBody?: string;
  /** Values for the template: traits, referral link, unsubscribe link, and the template's own model. */
  model: Record<string, unknown>;
  /** `broadcast` for asks (marketing), `outbound` for transactional (thank-you, reward notices). */
  messageStream: 'broadcast' | 'outbound';
  /** Set by activities, never by workflow code: an HTML local template also gets a plain-text part derived from it
   *  (links kept as `text: url`), e.g. the owner task's Done / Decline links for a text-only mail client. */
  plainTextPart?: boolean;
  /** Adds List-Unsubscribe for asks. The email activity replaces it with the signed one-click URL. */
  unsubscribeUrl?: string;
  /** Set by the email activity (never the workflow): List-Unsubscribe's mailto URI. */
  unsubscribeMailto?: string;
  /** The send key may have been used before this activity's first attempt (an earlier run of the same workflow id
   *  closed, e.g. failed): the Postmark path looks for an earlier send by the key before sending, on every attempt. */
  mayHaveBeenSent?: boolean;
}

export interface SendEmailResult {
  status: 'sent' | 'already-sent';
  transport: 'postmark' | 'outbox';
  messageId?: string;
  /** For the run's record of its sends (journey/sends.ts; never the address). */
  sendKey?: string;
  /** When this activity saw the send accepted (ISO); for 'already-sent', when it found the earlier one. */
  sentAt?: string;
  messageStream?: 'broadcast' | 'outbound';
  /** Postmark template alias, or the local template file. */
  template?: string;
}

/** Why the email activity stopped sending to a customer; passed to `onRecipientSuppressed`. */
export interface RecipientSuppressed {
  customerId: string;
  reason: 'inactive-recipient' | 'invalid-address';
  journeyId: string;
  sendKey: string;
}

/** One accepted send, passed to the email activity's optional `onSent` hook (never the address). */
export interface SentEmailNotice {
  customerId: string;
  sendKey: string;
  journeyId: string;
  step: string;
  messageId?: string;
  messageStream: 'broadcast' | 'outbound';
  template: string;
  transport: 'postmark' | 'outbox';
  sentAt: string;
}

/** ApplicationFailure types the email activity raises (non-retryable); the interpreter reacts to them. */
export const EMAIL_FAILURE = {
  inactiveRecipient: 'EmailInactiveRecipient',
  invalidAddress: 'EmailInvalidAddress',
  configuration: 'EmailConfigurationError',
  rejected: 'EmailRejected',
  /** Retryable (429, 5xx, network): never seen by the interpreter unless retries run out. */
  transient: 'EmailTransient',
} as const;
