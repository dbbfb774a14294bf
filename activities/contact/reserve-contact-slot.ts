// Activity: reserve a contact slot before an ask, through the customer's workflow (frequency cap across
// journeys, journey cap, quiet hours, opt-out, global suppression). Journeys call it from workflow code.
import { reserveContactSlotUpdate, type ContactSlotDecision, type ContactSlotRequest } from '../../workflows/contract/index.ts';
import { updateCustomer, type CustomerWorkflowDeps } from './customer-update.ts';

export function createContactActivities(deps: CustomerWorkflowDeps) {
  return {
    /** Idempotent per sendKey: a retry returns the first decision. Refused → reschedule at retryAt (none when opted out). */
    async reserveContactSlot(req: ContactSlotRequest): Promise<ContactSlotDecision> {
      return updateCustomer(deps, req.customerId, reserveContactSlotUpdate, req, `slot:${req.sendKey}`);
    },
  };
}
