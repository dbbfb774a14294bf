// When Postmark says an address can never receive mail (406 inactive, 300 invalid), the customer's own workflow
// hears it as an `email.bounced` event: it owns global suppression, so every journey's next contact slot is refused.
import { customerEventSignal, type JourneyEvent, type RecipientSuppressed } from '../../workflows/contract/index.ts';
import { signalCustomer, type CustomerWorkflowDeps } from './customer-update.ts';

export function suppressRecipientInEveryJourney(deps: CustomerWorkflowDeps) {
  return async (notice: RecipientSuppressed): Promise<void> => {
    const event: JourneyEvent = {
      // One id per failed send: a retried activity signals the same event, which the workflow ignores.
      id: `postmark-${notice.reason}:${notice.sendKey}`,
      type: 'email.bounced',
      customerId: notice.customerId,
      occurredAt: new Date().toISOString(),
      data: { bounceType: notice.reason },
    };
    await signalCustomer(deps, notice.customerId, customerEventSignal, event);
  };
}
