// After the email activity's send was accepted, the customer's own workflow records it (recordSend update), so the
// customer's contact history shows every email from every journey: asks and thank-yous alike.
import { recordSendUpdate } from '../../workflows/customer/messages.ts';
import type { SentEmailNotice } from '../email/types.ts';
import { updateCustomer, type CustomerWorkflowDeps } from './customer-update.ts';

export function recordSendInContactHistory(deps: CustomerWorkflowDeps) {
  return async (notice: SentEmailNotice): Promise<void> => {
    const { customerId, ...record } = notice;
    // The update id makes a retried activity's second record a no-op on the server; the workflow dedupes by sendKey too.
    await updateCustomer(deps, customerId, recordSendUpdate, record, `sent:${notice.sendKey}`);
  };
}
