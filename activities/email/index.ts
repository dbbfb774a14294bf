// The email activity: one `sendEmail` that builds the exact Postmark request for a send and delivers it
// through Postmark (POSTMARK_SERVER_TOKEN set) or the local outbox (the default), at most once per send key.
import {
  EMAIL_FAILURE,
  type RecipientSuppressed,
  type SendEmailRequest,
  type SendEmailResult,
  type SentEmailNotice,
  templateName,
} from '../../workflows/contract/index.ts';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { writePostmarkRequestToOutbox } from '../outbox.ts';
import { redactFields, redactText } from '../log-redaction.ts';
import { unsubscribeSettingsFromEnv, withUnsubscribeLinks, type UnsubscribeSettings } from './unsubscribe-link.ts';
import { DEFAULT_STATUS_LINK_VALIDITY_MS, statusLinkValidityFromEnv, withPageLinks } from './status-link.ts';
import { currentAttempt, markAccepted, markSubmission } from './attempts.ts';
import { classifyPostmarkError, failureFor } from './errors.ts';
import { buildPostmarkRequest, DEFAULT_FROM, TemplateBodyMissingError } from './message.ts';
import { createPostmarkClient, findSentBySendKey, submitToPostmark, type PostmarkSettings } from './postmark-transport.ts';

export type { PostmarkSettings } from './postmark-transport.ts';
export { listOutbox, readOutboxMessage, type StoredOutboxMessage } from '../outbox.ts';

/** The subset of pino's logger the activity uses (so tests can capture lines). */
export interface EmailLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EmailDeps {
  /** The outbox lives in <dataDir>/outbox. */
  dataDir: string;
  /** Present: send through Postmark. Absent: write to the outbox. */
  postmark?: PostmarkSettings;
  /** The From address (JOURNEY_EMAIL_FROM). */
  from?: string;
  /** Called when Postmark says the address can never receive mail, before the activity fails for good,
   * so the owner of cross-journey state can suppress the customer's email channel in every journey. */
  onRecipientSuppressed?: (notice: RecipientSuppressed) => Promise<unknown> | unknown;
  /** Called after every accepted send (also 'already-sent'), for an embedder that keeps its own record of sends (the
   * engine's is the sending run's state, from this activity's answer: none by default). A failure fails the attempt
   * (retryable): the retry finds the send already accepted and passes the same message again. */
  onSent?: (notice: SentEmailNotice) => Promise<unknown> | unknown;
  logger?: EmailLogger;
  /** The one-click unsubscribe links (activities/email/unsubscribe-link.ts); default: the local API, dev secret. */
  unsubscribe?: UnsubscribeSettings;
  /** How long the advocate's {{statusUrl}} stays valid (activities/email/status-link.ts); default 90 days. */
  statusLinkValidityMs?: number;
  /** How long after an ambiguous failure a retry keeps waiting for Postmark's message search to show the
   * earlier request before concluding it was never accepted and sending again. Default 60 s. */
  searchSettleMs?: number;
}

/** Email settings from the environment: POSTMARK_SERVER_TOKEN, POSTMARK_API_URL, JOURNEY_EMAIL_FROM, and the unsubscribe
 *  links (JOURNEY_PUBLIC_URL, JOURNEY_UNSUBSCRIBE_SECRET, JOURNEY_UNSUBSCRIBE_MAILTO; refused when real sending lacks them). */
export function emailDepsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): EmailDeps {
  const token = env.POSTMARK_SERVER_TOKEN?.trim();
  return {
    dataDir,
    from: env.JOURNEY_EMAIL_FROM?.trim() || undefined,
    postmark: token ? { serverToken: token, apiUrl: env.POSTMARK_API_URL?.trim() || undefined } : undefined,
    unsubscribe: unsubscribeSettingsFromEnv(env),
    statusLinkValidityMs: statusLinkValidityFromEnv(env),
  };
}

/** Every line the email activity logs, with customer ids (in send keys, often addresses) reduced to a digest. */
function redacting(inner: EmailLogger): EmailLogger {
  return {
    info: (obj, msg) => inner.info(redactFields(obj), redactText(msg)),
    warn: (obj, msg) => inner.warn(redactFields(obj), redactText(msg)),
    error: (obj, msg) => inner.error(redactFields(obj), redactText(msg)),
  };
}

export function createEmailActivities(deps: EmailDeps) {
  const log: EmailLogger = redacting(deps.logger ?? pino({ name: 'email' }));
  const from = deps.from ?? DEFAULT_FROM;
  const client = deps.postmark ? createPostmarkClient(deps.postmark) : undefined;
  const links = deps.unsubscribe ?? unsubscribeSettingsFromEnv({ JOURNEY_EMAIL_FROM: from });

  function buildRequest(req: SendEmailRequest) {
    try {
      return buildPostmarkRequest(req, from);
    } catch (err) {
      // A template that cannot render never will: fail the step, don't retry.
      const reason = err instanceof TemplateBodyMissingError ? err.message : `template did not render: ${(err as Error).message}`;
      log.error({ sendKey: req.sendKey, template: templateName(req.template) }, reason);
      throw ApplicationFailure.nonRetryable(reason, EMAIL_FAILURE.configuration);
    }
  }

  async function sendThroughPostmark(req: SendEmailRequest): Promise<SendEmailResult> {
    const request = buildRequest(req);
    // Never logged or put in a failure message: the recipient (each part of it) and the token.
    const secrets = [req.to, ...req.to.split(/[,<>]/).map((s) => s.trim()), deps.postmark!.serverToken];
    const base = {
      transport: 'postmark' as const,
      sendKey: req.sendKey,
      messageStream: req.messageStream,
      template: templateName(req.template),
    };
    const { attempt, ambiguousSubmissionAt, acceptedMessageId } = currentAttempt();
    if (acceptedMessageId) {
      // An earlier attempt saw Postmark accept it and failed afterwards (recording it in the contact history).
      markAccepted(acceptedMessageId);
      return { ...base, status: 'already-sent', messageId: acceptedMessageId, sentAt: new Date().toISOString() };
    }
    if (attempt > 1 || req.mayHaveBeenSent) {
      // An earlier attempt may have been accepted before its answer was lost (timeout, reset, 5xx), or an earlier
      // run of the same workflow id sent with this key (mayHaveBeenSent, from the first attempt on):
      // ask Postmark before sending again. A failed lookup fails this attempt; it never risks a duplicate.
      const earlier = await findSentBySendKey(client!, req.sendKey, req.messageStream).catch((err) => {
        const c = classifyPostmarkError(err, secrets);
        log.warn({ sendKey: req.sendKey, attempt, status: c.status, code: c.code }, `outbound message search failed: ${c.message}`);
        markSubmission(ambiguousSubmissionAt); // keep the mark for the next attempt
        throw c.kind === 'configuration' ? failureFor(c) : failureFor({ ...c, kind: 'transient' });
      });
      if (earlier) {
        log.info(
          { sendKey: req.sendKey, attempt, messageId: earlier },
          'already accepted by Postmark on an earlier attempt; not sending again',
        );
        return { ...base, status: 'already-sent', messageId: earlier, sentAt: new Date().toISOString() };
      }
      // Postmark's search can lag behind what it accepted: while an ambiguous request is recent, wait (retry)
      // rather than risk a second message.
      const settleMs = deps.searchSettleMs ?? 60_000;
      if (ambiguousSubmissionAt !== undefined && Date.now() - ambiguousSubmissionAt < settleMs) {
        markSubmission(ambiguousSubmissionAt);
        log.info({ sendKey: req.sendKey, attempt }, 'an earlier request may still appear in Postmark; waiting before sending again');
        throw ApplicationFailure.retryable(
          "waiting for Postmark's message search to settle after an ambiguous failure",
          EMAIL_FAILURE.transient,
        );
      }
    }
    markSubmission(Date.now());
    try {
      const accepted = await submitToPostmark(client!, request);
      markAccepted(accepted.messageId);
      return { ...base, status: 'sent', messageId: accepted.messageId, sentAt: accepted.submittedAt || new Date().toISOString() };
    } catch (err) {
      const c = classifyPostmarkError(err, secrets);
      // Only no answer or a 5xx leaves it open whether Postmark accepted the message.
      if (!(c.status === 0 || c.status >= 500)) markSubmission(undefined);
      const fields = { sendKey: req.sendKey, journeyId: req.journeyId, attempt, status: c.status, code: c.code, errorClass: c.kind };
      if (c.kind === 'configuration') {
        log.error(
          fields,
          `EMAIL CONFIGURATION ERROR, nothing will be sent until it is fixed (check POSTMARK_SERVER_TOKEN, sender signature, template): ${c.message}`,
        );
      } else if (c.kind === 'transient') {
        log.warn(fields, `Postmark send failed, Temporal will retry: ${c.message}`);
      } else {
        log.warn(fields, `Postmark refused the message: ${c.message}`);
      }
      if ((c.kind === 'inactive-recipient' || c.kind === 'invalid-address') && deps.onRecipientSuppressed) {
        try {
          await deps.onRecipientSuppressed({ customerId: req.customerId, reason: c.kind, journeyId: req.journeyId, sendKey: req.sendKey });
        } catch (hookErr) {
          // The suppression must reach every journey: retry the activity rather than lose it.
          log.error({ ...fields, hookError: (hookErr as Error).message }, 'onRecipientSuppressed failed; retrying');
          throw ApplicationFailure.retryable(`onRecipientSuppressed failed: ${(hookErr as Error).message}`, EMAIL_FAILURE.transient);
        }
      }
      throw failureFor(c);
    }
  }

  async function sendToOutbox(req: SendEmailRequest): Promise<SendEmailResult> {
    const request = buildRequest(req);
    const { id, written } = await writePostmarkRequestToOutbox(deps.dataDir, req.sendKey, request);
    return {
      status: written ? 'sent' : 'already-sent',
      transport: 'outbox',
      messageId: id,
      sendKey: req.sendKey,
      sentAt: new Date().toISOString(),
      messageStream: req.messageStream,
      template: templateName(req.template),
    };
  }

  async function recordSent(req: SendEmailRequest, result: SendEmailResult): Promise<void> {
    if (!deps.onSent) return;
    try {
      await deps.onSent({
        customerId: req.customerId,
        sendKey: req.sendKey,
        journeyId: req.journeyId,
        step: req.step,
        messageId: result.messageId,
        messageStream: req.messageStream,
        template: templateName(req.template),
        transport: result.transport,
        sentAt: result.sentAt ?? new Date().toISOString(),
      });
    } catch (hookErr) {
      log.error(
        { sendKey: req.sendKey, journeyId: req.journeyId, hookError: (hookErr as Error).message },
        'sent, but the onSent hook failed; retrying',
      );
      throw ApplicationFailure.retryable(`onSent failed: ${(hookErr as Error).message}`, EMAIL_FAILURE.transient);
    }
  }

  return {
    /** Sends one email at most once per `sendKey`; see workflows/contract/email-activity.ts for the failure types. */
    async sendEmail(asked: SendEmailRequest): Promise<SendEmailResult> {
      const req = withPageLinks(withUnsubscribeLinks(asked, links), links, deps.statusLinkValidityMs ?? DEFAULT_STATUS_LINK_VALIDITY_MS);
      const result = await (client ? sendThroughPostmark(req) : sendToOutbox(req));
      await recordSent(req, result);
      return result;
    },
  };
}
