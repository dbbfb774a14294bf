// The effects the interpreter asks for, reached only through proxyActivities typed by the contract's JourneyActivities
// (derived from the implementations the worker registers).
// reserveContactSlot, issueReward and recordTracking belong to other areas; when a worker has not registered one,
// the activity fails with NotFoundError at once (non-retryable here) and the interpreter uses its built-in fallback.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { ACTIVITY_FAILURE, type JourneyActivities } from '../contract/index.ts';

const NOT_REGISTERED = ACTIVITY_FAILURE.notRegistered;

export const email = proxyActivities<Pick<JourneyActivities, 'sendEmail'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export const optional = proxyActivities<Omit<JourneyActivities, 'sendEmail'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', nonRetryableErrorTypes: [NOT_REGISTERED] },
});

/** The ApplicationFailure type behind an activity failure, if any. */
export function failureType(err: unknown): string | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
  return undefined;
}

export function isNotRegistered(err: unknown): boolean {
  return failureType(err) === NOT_REGISTERED;
}

export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return (err as Error)?.message ?? String(err);
}
