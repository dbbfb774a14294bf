// The effects the interpreter asks for, reached only through proxyActivities (import type: no side effects here).
// createActivities (activities/index.ts) registers every one of them except readAdvocateScore, which needs a Temporal
// client: without it that activity fails with NotFoundError at once (not retried) and Qualify goes on without a score.
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
