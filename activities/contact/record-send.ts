// After the email activity's send was accepted, the customer's own workflow records it (recordSend signal), so the
// customer's contact history shows every email from every journey: asks and thank-yous alike. signalWithStart: the
// record is durable as soon as the server has it, without waiting for a worker to run customer:<id>.
import { CUSTOMER_WORKFLOW_TYPE, customerWorkflowId } from '../../workflows/messages.ts';
import { recordSendSignal } from '../../workflows/customer/messages.ts';
import { customerProfileStartInput } from '../../workflows/customer/start-input.ts';
import type { SentEmailNotice } from '../email/types.ts';
import type { CustomerWorkflowDeps } from './customer-update.ts';

export function recordSendInContactHistory(deps: CustomerWorkflowDeps) {
  return async (notice: SentEmailNotice): Promise<void> => {
    const { customerId, ...record } = notice;
    // A retried activity signals again; the workflow keeps one record per sendKey.
    await deps.client.workflow.signalWithStart(CUSTOMER_WORKFLOW_TYPE, {
      workflowId: customerWorkflowId(customerId),
      taskQueue: deps.taskQueue,
      args: [customerProfileStartInput(customerId, deps.profileDefaults)],
      signal: recordSendSignal,
      signalArgs: [record],
    });
  };
}
