// Every failed activity attempt, counted where operators alert on it: journey_activity_failures (Prometheus, on the
// worker's metrics endpoint) by activity, failure type and whether Temporal will try again. A non-retryable failure
// is an activity that ended for good (a payout refused, a request that cannot be sent): it needs an operator. A
// retryable one rising for long is a provider that stays down under a policy that retries by choice (payouts,
// tracking; see RETRY_POLICIES in workflows/journey/activities.ts). The line logged names no customer: activity type,
// attempt and failure type only (workflow ids and send keys hold customer ids, which may be email addresses).
import { ApplicationFailure } from '@temporalio/common';
import { Runtime, type ActivityInterceptorsFactory } from '@temporalio/worker';

export const ACTIVITY_FAILURES_METRIC = 'journey_activity_failures';

function failureKind(err: unknown): { type: string; retryable: boolean } {
  if (err instanceof ApplicationFailure) return { type: err.type ?? 'ApplicationFailure', retryable: !err.nonRetryable };
  const name = (err as Error)?.name;
  // A cancelled attempt (the run moved on) is not a failure anyone must look at.
  return { type: name && /^[A-Za-z]{1,60}$/.test(name) ? name : 'Error', retryable: true };
}

export const countActivityFailures: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if ((err as Error)?.name === 'CancelledFailure') throw err;
        const { type, retryable } = failureKind(err);
        const { activityType, attempt } = ctx.info;
        ctx.metricMeter
          .createCounter(ACTIVITY_FAILURES_METRIC, 'failures', 'Failed activity attempts, by activity, failure type and retryable')
          .add(1, { activity: activityType, failure: type, retryable: String(retryable) });
        Runtime.instance().logger.warn(
          `activity ${activityType} attempt ${attempt} failed (${type}${retryable ? ', Temporal will retry' : ', not retryable: needs an operator'})`,
          { activityType, attempt, failureType: type, retryable },
        );
        throw err;
      }
    },
  },
});
