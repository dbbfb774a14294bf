// Opting a customer out of every journey (an operator's POST /v1/customers/:id/opt-out, or the recipient's one-click
// unsubscribe link), and the link's undo. The customer workflow owns the global opt-out (started if the customer has
// none yet, so it holds for journeys that start later too; every ask's contact slot checks it); each running journey
// run is told at once too, so its state and the Temporal UI say so within seconds.
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  CUSTOMER_WORKFLOW_TYPE,
  JOURNEY_WORKFLOW_TYPE,
  customerStartOptions,
  customerWorkflowId,
  globalOptInUpdate,
  globalOptOutUpdate,
  optInUpdate,
  optOutUpdate,
  type CustomerSnapshot,
  type OperatorAction,
} from '../workflows/contract/index.ts';
import type { ApiContext } from './context.ts';
import { visibilityQuote, withDeadline } from './temporal-calls.ts';
import { advocateRevoked } from './advocate-revocations.ts';

const MAX_RUNS = 100;

export interface RunOutcome {
  workflowId: string;
  ok: boolean;
  state?: unknown;
  error?: string;
}
export interface EveryJourneyOutcome {
  profile: CustomerSnapshot;
  /** null when the runs could not be listed (journeysError says why); the customer workflow's change holds anyway. */
  journeys: RunOutcome[] | null;
  journeysError?: string;
}

/** The customer's journey runs (open and closed, or running only), newest first, from visibility. */
export async function journeyRunsOf(ctx: ApiContext, customerId: string, onlyRunning = false) {
  const query = `WorkflowType = '${JOURNEY_WORKFLOW_TYPE}' AND CustomerId = ${visibilityQuote(customerId)}${onlyRunning ? ` AND ExecutionStatus = 'Running'` : ''}`;
  // Under the API's deadline: with Temporal down the SDK would otherwise retry the listing for a long while.
  return withDeadline(ctx, async () => {
    const runs = [];
    for await (const run of ctx.client.workflow.list({ query, pageSize: MAX_RUNS })) {
      runs.push(run);
      if (runs.length >= MAX_RUNS) break;
    }
    return runs;
  });
}

async function tellEveryRun(
  ctx: ApiContext,
  customerId: string,
  update: typeof optOutUpdate,
  action: OperatorAction,
  profile: CustomerSnapshot,
): Promise<EveryJourneyOutcome> {
  let runs: Awaited<ReturnType<typeof journeyRunsOf>>;
  try {
    runs = await journeyRunsOf(ctx, customerId, true);
  } catch (err) {
    // Said as such: `journeys: []` would claim the customer has no journey running.
    ctx.metrics.temporalErrors.inc({ operation: 'listRuns' });
    return {
      profile,
      journeys: null,
      journeysError: `the change is recorded in customer:${customerId} and every journey's next ask checks it, but its runs could not be listed to tell them at once (${(err as Error).message}); send it again to retry`,
    };
  }
  const journeys = await Promise.all(
    runs.map(async (run): Promise<RunOutcome> => {
      try {
        const state = await withDeadline(ctx, () =>
          ctx.client.workflow.getHandle(run.workflowId).executeUpdate(update, { args: [action] }),
        );
        return { workflowId: run.workflowId, ok: true, state };
      } catch (err) {
        // A run that refuses (already opted out, or opted out by someone else than the link) is an answer, not an outage.
        if (!(err instanceof WorkflowUpdateFailedError)) ctx.metrics.temporalErrors.inc({ operation: update.name });
        return { workflowId: run.workflowId, ok: false, error: (err as Error).message };
      }
    }),
  );
  return { profile, journeys };
}

/** Opts the customer out everywhere. Throws (for replyTemporalFailure) when the customer workflow did not take it. */
export async function optOutOfEveryJourney(ctx: ApiContext, customerId: string, action: OperatorAction): Promise<EveryJourneyOutcome> {
  const profile = await withDeadline(ctx, () =>
    ctx.client.workflow.executeUpdateWithStart(globalOptOutUpdate, {
      args: [action],
      startWorkflowOperation: new WithStartWorkflowOperation(
        CUSTOMER_WORKFLOW_TYPE,
        customerStartOptions(customerId, ctx.customerTaskQueue, ctx.customerDefaults),
      ),
    }),
  );
  // Before the runs are told: from here on this process shows their referral code as no longer valid.
  advocateRevoked(ctx, customerId);
  return tellEveryRun(ctx, customerId, optOutUpdate, action, profile);
}

/** Undoes an opt-out the unsubscribe link made (the workflows refuse any other). Throws like optOutOfEveryJourney. */
export async function optBackIntoEveryJourney(ctx: ApiContext, customerId: string, action: OperatorAction): Promise<EveryJourneyOutcome> {
  const profile = await withDeadline(ctx, () =>
    ctx.client.workflow.getHandle(customerWorkflowId(customerId)).executeUpdate(globalOptInUpdate, { args: [action] }),
  );
  return tellEveryRun(ctx, customerId, optInUpdate, action, profile);
}
