// Workflow ids and workflow type names: one journey run per (journey, customer), one profile workflow per customer.

export function journeyWorkflowId(journeyId: string, customerId: string): string {
  return `journey:${journeyId}:${customerId}`;
}
export function customerWorkflowId(customerId: string): string {
  return `customer:${customerId}`;
}

/** The workflow type names, for clients that start them by name (the exported workflow functions carry them). */
export const JOURNEY_WORKFLOW_TYPE = 'advocacyJourney';
export const CUSTOMER_WORKFLOW_TYPE = 'customerProfile';
