// Which failures a retry can fix, decided in one place for every activity that talks HTTP or to Temporal. An error
// that retrying cannot fix (a request that cannot be built, a permanent 4xx, data the other side refuses) becomes a
// non-retryable ApplicationFailure, so the activity ends and the workflow decides (and operators see it, through the
// run's state and journey_activity_failures_total); anything else is thrown as it is and Temporal retries it.
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ACTIVITY_FAILURE } from '../workflows/contract/index.ts';
import { activityCancellation } from './cancellation.ts';

/** gRPC status INVALID_ARGUMENT: the server refuses the request as it is. */
const GRPC_INVALID_ARGUMENT = 3;

/** ApplicationFailure types of failures no retry can fix (defined once, in the contract). */
export const PERMANENT_FAILURE = {
  invalidRequest: ACTIVITY_FAILURE.invalidRequest,
  temporalRefused: ACTIVITY_FAILURE.temporalRefused,
} as const;

/** HTTP statuses worth trying again: timeouts, conflicts of the moment, rate limits, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * An Idempotency-Key (or any header) value every HTTP stack accepts: visible ASCII only. Other characters (above
 * U+00FF, CR/LF, spaces) and `%` itself are percent-encoded as UTF-8, so the mapping is one-to-one (two keys never
 * share a header) and a key that is already safe goes out unchanged.
 */
export function headerSafeKey(key: string): string {
  return key.replace(/[^\x21-\x24\x26-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/**
 * What a failed `fetch` means. A network failure, a reset or our own timeout may pass (retryable: rethrown as is);
 * a TypeError thrown while building the request (an invalid header value or URL) is the same on every attempt.
 */
export function fetchFailure(err: unknown, what: string): Error {
  // Aborted by the activity's cancellation (activities/cancellation.ts): the activity ends as cancelled, not retried.
  const cancelled = activityCancellation();
  if (cancelled?.aborted) return cancelled.reason as Error;
  const e = err as Error & { cause?: unknown };
  const network = e?.name === 'AbortError' || e?.name === 'TimeoutError' || (e instanceof TypeError && e.message === 'fetch failed');
  if (network || !(e instanceof TypeError)) return new Error(`${what} unreachable (${describe(e)}); will retry`);
  return ApplicationFailure.nonRetryable(
    `${what}: the request cannot be sent (${e.message}); retrying cannot fix it`,
    PERMANENT_FAILURE.invalidRequest,
  );
}

function describe(e: Error & { cause?: unknown }): string {
  const cause = e?.cause as Error | undefined;
  return cause?.message ? `${e.message}: ${cause.message}` : (e?.message ?? String(e));
}

/** The body as JSON, or a non-retryable failure (a value JSON cannot hold never will). */
export function jsonBody(payload: unknown, what: string): string {
  try {
    return JSON.stringify(payload);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `${what}: the body cannot be written as JSON (${(err as Error).message})`,
      PERMANENT_FAILURE.invalidRequest,
    );
  }
}

/**
 * A Temporal client error that no retry fixes, as a non-retryable failure: INVALID_ARGUMENT (e.g. a workflow id over
 * the server's length limit) and an Update whose validator or handler refused it with a non-retryable failure.
 * Anything else (unavailable, deadline, no worker yet) is returned unchanged for Temporal to retry.
 */
export function temporalClientFailure(err: unknown, what: string): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.nonRetryable)
      return ApplicationFailure.nonRetryable(`${what} refused: ${cause.message}`, PERMANENT_FAILURE.temporalRefused);
    return err;
  }
  // The SDK wraps the gRPC error (ServiceError with it as cause); either may carry the status code.
  const codes = [(err as { code?: unknown })?.code, (err as { cause?: { code?: unknown } })?.cause?.code];
  if (codes.includes(GRPC_INVALID_ARGUMENT))
    return ApplicationFailure.nonRetryable(`${what} refused by Temporal: ${(err as Error).message}`, PERMANENT_FAILURE.temporalRefused);
  return err;
}
