// An activity's cancellation, handed to the calls it waits on. A worker shutting down cancels its in-flight
// activities (after shutdownGraceMs) and then waits for them to end: a call that does not hear the cancellation
// keeps the whole worker from stopping. The worst case is an update to `customer:<id>` made while that workflow's own
// worker is the one shutting down (it polls no more workflow tasks, so the update is never answered): without the
// signal, the shutdown waits for ever.
import { asyncLocalStorage } from '@temporalio/activity';
import type { Client } from '@temporalio/client';

/** The running activity's cancellation signal; undefined outside an activity (the API, the CLI, a unit test). */
export function activityCancellation(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

/**
 * Runs `call` (Temporal client requests) so that it ends when the activity is cancelled; the activity then throws the
 * cancellation itself (a CancelledFailure), so the worker records the attempt as cancelled, not as a failure to retry.
 */
export async function untilActivityCancelled<R>(client: Client, call: () => Promise<R>): Promise<R> {
  const signal = activityCancellation();
  if (!signal) return call();
  try {
    return await client.withAbortSignal(signal, call);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  }
}

/** A fetch signal: the request's own timeout, and the activity's cancellation when there is one. */
export function requestSignal(timeoutMs: number): AbortSignal {
  const cancelled = activityCancellation();
  const timeout = AbortSignal.timeout(timeoutMs);
  return cancelled ? AbortSignal.any([timeout, cancelled]) : timeout;
}
