// The effects the interpreter asks for, reached only through proxyActivities (import type: no side effects here).
// createActivities (activities/index.ts) registers every one of them except readAdvocateScore, which needs a Temporal
// client: without it that activity fails with NotFoundError at once (not retried) and Qualify goes on without a score.
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  type ActivityFunction,
  type ActivityFunctionWithOptions,
  type ActivityInterfaceFor,
  type RetryPolicy,
} from '@temporalio/workflow';
import { ACTIVITY_FAILURE, type JourneyActivities } from '../contract/index.ts';

const NOT_REGISTERED = ACTIVITY_FAILURE.notRegistered;

/**
 * Every retry policy of the interpreter, each bounded or an explicit choice (docs/operators.md, "Retries and their
 * alerts"). Errors no retry can fix are non-retryable in the activities (activities/failures.ts), so only failures
 * that may pass are retried here; every failed attempt is counted in journey_activity_failures_total.
 */
export const RETRY_POLICIES = {
  /** An ask or a thank-you: about an hour (5 s doubling to 10 min, 12 attempts). After that Invite keeps the ask and
   *  plans it again later (state.emailProblem "email unavailable"), so a long Postmark outage never sends at 3 am. */
  email: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 12 },
  /** Updates of customer:<id> (contact slot, reward ledger): about 45 minutes; then the caller notes it and goes on
   *  (the slot is asked again later; a ledger write is noted in the run for operators). */
  customer: {
    initialInterval: '5 seconds',
    maximumInterval: '10 minutes',
    backoffCoefficient: 2,
    maximumAttempts: 10,
    nonRetryableErrorTypes: [NOT_REGISTERED],
  },
  /** Payouts and their reversals: UNBOUNDED by choice. A reward owed must be paid once the billing system answers
   *  again, and a permanent refusal or a request that cannot be sent already ends the activity (non-retryable).
   *  Alert: journey_activity_failures_total{activity="issueReward"|"reverseReward",retryable="true"} rising. */
  payout: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, nonRetryableErrorTypes: [NOT_REGISTERED] },
  /** Owner tasks and referral records (activities/crm): about an hour (5 s doubling to 10 min, 12 attempts), as an
   *  ask. After that the owner task is planned again later and a referral record waits in the run's CRM queue
   *  (journey/crm-referrals.ts), each shown to operators (state.crmProblem); a permanent refusal is non-retryable. */
  crm: {
    initialInterval: '5 seconds',
    maximumInterval: '10 minutes',
    backoffCoefficient: 2,
    maximumAttempts: 12,
    nonRetryableErrorTypes: [NOT_REGISTERED],
  },
  /** Tracking records: UNBOUNDED by choice. The only sink is the local log (a full or broken disk), and a record
   *  is never dropped. Alert: journey_activity_failures_total{activity=~"recordTracking.*"} rising. */
  tracking: {
    initialInterval: '5 seconds',
    maximumInterval: '10 minutes',
    backoffCoefficient: 2,
    nonRetryableErrorTypes: [NOT_REGISTERED],
  },
} satisfies Record<string, RetryPolicy>;

/**
 * How many activities the run awaits now, other than the tracking writes: the tracking writer holds its write while
 * one is in flight (stages/track.ts, patch journey-bookkeeping-batched), so a chain of effects' facts go out in one
 * write. The count is kept on the run's own global object, not in module state: the workflow modules are loaded once
 * and shared by every run of the worker (worker/worker.ts, `preloadModules`), while the SDK gives each run its own
 * globals.
 */
const EFFECTS_IN_FLIGHT = Symbol.for('journey-engine.effectsInFlight');

function inFlight(): { count: number } {
  const runGlobals = globalThis as unknown as Record<symbol, { count: number } | undefined>;
  return (runGlobals[EFFECTS_IN_FLIGHT] ??= { count: 0 });
}

export function effectInFlight(): boolean {
  return inFlight().count > 0;
}

/** The activity, counted in the run's effects in flight from the call until it settles (cancelled or failed included). */
export function counted<F extends ActivityFunction>(fn: ActivityFunctionWithOptions<F>): ActivityFunctionWithOptions<F> {
  const around = async <R>(call: () => Promise<R>): Promise<R> => {
    const effects = inFlight();
    effects.count++;
    try {
      return await call();
    } finally {
      effects.count--;
    }
  };
  const wrapped = ((...args: Parameters<F>) => around(() => fn(...args))) as ActivityFunctionWithOptions<F>;
  wrapped.executeWithOptions = (options, args) => around(() => fn.executeWithOptions(options, args)) as ReturnType<F>;
  return wrapped;
}

const emailProxy = proxyActivities<Pick<JourneyActivities, 'sendEmail'>>({
  startToCloseTimeout: '1 minute',
  retry: RETRY_POLICIES.email,
});
export const email = { sendEmail: counted(emailProxy.sendEmail) };

/** writeOutboxEmail is registered for scripts, never asked for by the interpreter; readCustomerStartFacts is a local
 *  activity with its own policy (journey/start-facts.ts). */
type Optional = Omit<JourneyActivities, 'sendEmail' | 'writeOutboxEmail' | 'readCustomerStartFacts'>;
const customer = proxyActivities<
  Pick<Optional, 'reserveContactSlot' | 'holdReward' | 'refuseReward' | 'claimReward' | 'forfeitReward' | 'readAdvocateScore'>
>({
  startToCloseTimeout: '1 minute',
  retry: RETRY_POLICIES.customer,
});
const payout = proxyActivities<Pick<Optional, 'issueReward' | 'reverseReward'>>({
  startToCloseTimeout: '1 minute',
  retry: RETRY_POLICIES.payout,
});
const crm = proxyActivities<Pick<Optional, 'createOwnerTask' | 'writeReferralRecord'>>({
  startToCloseTimeout: '1 minute',
  retry: RETRY_POLICIES.crm,
});
const tracking = proxyActivities<Pick<Optional, 'recordTracking' | 'recordTrackingBatch'>>({
  startToCloseTimeout: '1 minute',
  retry: RETRY_POLICIES.tracking,
});

/** The activities other areas own, each under its own retry policy above. */
export const optional: ActivityInterfaceFor<Optional> = {
  reserveContactSlot: counted(customer.reserveContactSlot),
  holdReward: counted(customer.holdReward),
  refuseReward: counted(customer.refuseReward),
  claimReward: counted(customer.claimReward),
  forfeitReward: counted(customer.forfeitReward),
  issueReward: counted(payout.issueReward),
  reverseReward: counted(payout.reverseReward),
  // The tracking writes themselves are not counted: they are what waits.
  recordTracking: tracking.recordTracking,
  recordTrackingBatch: tracking.recordTrackingBatch,
  createOwnerTask: counted(crm.createOwnerTask),
  writeReferralRecord: counted(crm.writeReferralRecord),
  // Qualify reads it through its own, shorter policy (stages/qualify.ts: 5 attempts, then Qualify goes on without it).
  readAdvocateScore: counted(customer.readAdvocateScore),
};

/** Whether an activity failed only because its retries ran out on failures that might have passed. */
export function retriesExhausted(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  return !(err.cause instanceof ApplicationFailure) || !err.cause.nonRetryable;
}

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
