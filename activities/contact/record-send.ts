// After the email activity's send was accepted, the customer's own workflow records it (recordSend signal), so the
// customer's contact history shows every email from every journey: asks and thank-yous alike. signalWithStart: the
// record is durable as soon as the server has it, without waiting for a worker to run customer:<id>.
import { recordSendSignal, type SentEmailNotice } from '../../workflows/contract/index.ts';
import { signalCustomer, type CustomerWorkflowDeps } from './customer-update.ts';

export function recordSendInContactHistory(deps: CustomerWorkflowDeps) {
  return async (notice: SentEmailNotice): Promise<void> => {
    const { customerId, ...record } = notice;
    // A retried activity signals again; the workflow keeps one record per sendKey.
    await signalCustomer(deps, customerId, recordSendSignal, record);
  };
}
