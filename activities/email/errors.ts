// Classifies what Postmark answered (its HTTP status and `ErrorCode`) into what the journey must do:
// suppress the customer, stop loudly on a configuration error, or let Temporal retry with backoff.
// https://postmarkapp.com/developer/api/overview#error-codes
import { EMAIL_FAILURE } from '../../workflows/contract/index.ts';
import { ApplicationFailure } from '@temporalio/common';

export type PostmarkErrorClass =
  | 'inactive-recipient' // ErrorCode 406: hard-bounced, complained or unsubscribed address
  | 'invalid-address' // ErrorCode 300 about the recipient ('To', 'Cc', 'Bcc'): this customer's address is invalid
  | 'configuration' // bad token, unconfirmed sender, unknown template: nothing a retry can fix
  | 'rejected' // any other 4xx: this message will never be accepted
  | 'transient'; // 429, 5xx, timeouts, dropped connections: retry with backoff

export interface ClassifiedPostmarkError {
  kind: PostmarkErrorClass;
  /** HTTP status; 0 when no answer came back (network error, timeout). */
  status: number;
  /** Postmark's ErrorCode; 0 when absent. */
  code: number;
  /** The error message with every email address removed. */
  message: string;
}

// ErrorCode 10: bad or missing server token. 400/401: sender signature missing or unconfirmed.
// 405: account not allowed to send. 412: account pending approval. 1100/1101: template id/alias unknown.
const CONFIGURATION_CODES = new Set([10, 400, 401, 405, 412, 1100, 1101]);

// ErrorCode 300 is Postmark's "invalid email request": a bad recipient, but also a bad 'From' or 'ReplyTo', a missing
// body or subject. Only a message naming a recipient field is about the customer; any other 300 is our own request
// and would fail for every customer alike, so it must stop loudly instead of suppressing them one by one.
const RECIPIENT_FIELD = /'(To|Cc|Bcc)'|\brecipients?\b/i;
export function isAboutRecipient(message: string): boolean {
  return RECIPIENT_FIELD.test(message);
}

const EMAIL_ADDRESS = /[^\s<>"',;:()]+@[^\s<>"',;:()]+/g;
/** Removes anything that looks like an address, and the given known secrets (the recipient as written,
 * which may not look like an address at all when Postmark calls it invalid; the token). */
export function redact(text: string, secrets: string[] = []): string {
  let out = text;
  for (const secret of secrets.filter((s) => s.trim().length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('<redacted>');
  }
  return out.replace(EMAIL_ADDRESS, '<address>');
}

export function classifyPostmarkError(err: unknown, secrets: string[] = []): ClassifiedPostmarkError {
  const e = err as { statusCode?: number; code?: number; message?: string };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 0;
  const code = typeof e?.code === 'number' ? e.code : 0;
  const message = redact(String(e?.message ?? err), secrets);
  const kind: PostmarkErrorClass =
    status === 0 || status === 429 || status >= 500
      ? 'transient'
      : status === 401 || CONFIGURATION_CODES.has(code)
        ? 'configuration'
        : code === 406
          ? 'inactive-recipient'
          : code === 300
            ? isAboutRecipient(message)
              ? 'invalid-address'
              : 'configuration'
            : 'rejected';
  return { kind, status, code, message };
}

/** The failure the activity throws for a classified error; only transient ones are retryable. */
export function failureFor(c: ClassifiedPostmarkError): ApplicationFailure {
  const text = `Postmark answered ${c.status || 'nothing'} (ErrorCode ${c.code}): ${c.message}`;
  const details = [{ status: c.status, code: c.code }];
  switch (c.kind) {
    case 'inactive-recipient':
      return ApplicationFailure.nonRetryable(text, EMAIL_FAILURE.inactiveRecipient, ...details);
    case 'invalid-address':
      return ApplicationFailure.nonRetryable(text, EMAIL_FAILURE.invalidAddress, ...details);
    case 'configuration':
      return ApplicationFailure.nonRetryable(text, EMAIL_FAILURE.configuration, ...details);
    case 'rejected':
      return ApplicationFailure.nonRetryable(text, EMAIL_FAILURE.rejected, ...details);
    case 'transient':
      return ApplicationFailure.retryable(text, EMAIL_FAILURE.transient, ...details);
    default: {
      const unreachable: never = c.kind;
      throw new Error(`unknown error class ${unreachable}`);
    }
  }
}
