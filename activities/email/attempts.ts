// What this activity attempt knows about earlier attempts of the same send. Before each POST the attempt
// heartbeats `{ submittedAt }`; Temporal hands the last heartbeat to the next attempt, so a retry knows that an
// earlier request may have reached Postmark even when Postmark's message search does not show it yet.
import { Context } from '@temporalio/activity';

export interface AttemptInfo {
  attempt: number;
  /** When an earlier attempt sent a request whose fate is unknown (epoch ms). */
  ambiguousSubmissionAt?: number;
  /** Postmark's message id when an earlier attempt saw the send accepted (and failed after, e.g. in onSent). */
  acceptedMessageId?: string;
}

interface SubmissionMark {
  ambiguousSubmissionAt?: number;
  acceptedMessageId?: string;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // a plain call outside a worker (scripts, tests): a single attempt
  }
}

export function currentAttempt(): AttemptInfo {
  const ctx = activityContext();
  if (!ctx) return { attempt: 1 };
  const mark = ctx.info.heartbeatDetails as SubmissionMark | undefined;
  return {
    attempt: ctx.info.attempt,
    ambiguousSubmissionAt: typeof mark?.ambiguousSubmissionAt === 'number' ? mark.ambiguousSubmissionAt : undefined,
    acceptedMessageId: typeof mark?.acceptedMessageId === 'string' ? mark.acceptedMessageId : undefined,
  };
}

/** Records (for later attempts) that Postmark accepted the send: a retry returns it without searching or sending. */
export function markAccepted(messageId: string): void {
  activityContext()?.heartbeat({ acceptedMessageId: messageId } satisfies SubmissionMark);
}

/** Records (for later attempts) that a request is about to go out, or that the earlier one is settled. */
export function markSubmission(ambiguousSubmissionAt: number | undefined): void {
  activityContext()?.heartbeat({ ambiguousSubmissionAt } satisfies SubmissionMark);
}
