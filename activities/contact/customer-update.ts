// Reaches the customer's workflow `customer:<id>`, starting it if it is not running (update-with-start,
// signal-with-start), so every caller reaches the one owner of the customer's cross-journey state.
import { CUSTOMER_WORKFLOW_TYPE, customerStartOptions, type CustomerProfileDefaults } from '../../workflows/contract/index.ts';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/client';
import { temporalClientFailure } from '../failures.ts';
import { untilActivityCancelled } from '../cancellation.ts';

export interface CustomerWorkflowDeps {
  client: Client;
  /** The task queue the customer workflow runs on when this call has to start it. */
  taskQueue: string;
  /**
   * Start input for a customer workflow started here: the contact policy the worker loaded
   * (definitions/contact-policy.json or JOURNEY_CONTACT_POLICY), and test knobs (searchAttributes: false).
   */
  profileDefaults?: CustomerProfileDefaults;
}

export async function updateCustomer<Ret, Arg>(
  deps: CustomerWorkflowDeps,
  customerId: string,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  updateId: string,
): Promise<Ret> {
  const startWorkflowOperation = new WithStartWorkflowOperation(
    CUSTOMER_WORKFLOW_TYPE,
    customerStartOptions(customerId, deps.taskQueue, deps.profileDefaults),
  );
  // The update id makes a retried activity's second update a no-op on the server too. The activity's cancellation
  // ends the wait for the answer (activities/cancellation.ts: else a worker shutdown can wait for ever).
  try {
    return await untilActivityCancelled(deps.client, () =>
      deps.client.workflow.executeUpdateWithStart(update, { args: [arg], updateId, startWorkflowOperation }),
    );
  } catch (err) {
    // A refusal (an id Temporal rejects, a validator's non-retryable failure) is the same on every attempt: end here.
    throw temporalClientFailure(err, `${update.name} on the customer workflow`);
  }
}

/** Signals `customer:<id>`, starting it first if needed; durable once the server has it, no worker needed yet. */
export async function signalCustomer<Arg>(
  deps: CustomerWorkflowDeps,
  customerId: string,
  signal: SignalDefinition<[Arg]>,
  arg: Arg,
): Promise<void> {
  try {
    await untilActivityCancelled(deps.client, () =>
      deps.client.workflow.signalWithStart(CUSTOMER_WORKFLOW_TYPE, {
        ...customerStartOptions(customerId, deps.taskQueue, deps.profileDefaults),
        signal,
        signalArgs: [arg],
      }),
    );
  } catch (err) {
    throw temporalClientFailure(err, `${signal.name} to the customer workflow`);
  }
}
