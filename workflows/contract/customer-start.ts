// The one builder for starting the customer workflow `customer:<id>`. Every starter (the API's events, traits and
// opt-out, the worker's activities via update-with-start and signal-with-start, `journey simulate`, bench, tests)
// uses it, because whoever starts the workflow first decides the contact policy and score weights it runs with.
// Pure: the caller passes what its process loaded (JOURNEY_CONTACT_POLICY, JOURNEY_ADVOCATE_SCORE).
import type { CustomerProfileInput } from '../customer/profile.ts';
import { customerWorkflowId } from './ids.ts';
import { CustomerId } from './search-attributes.ts';

/** What a process passes to every customer workflow it starts: the loaded contact policy and score config, plus test knobs. */
export type CustomerProfileDefaults = Omit<CustomerProfileInput, 'customerId' | 'carried'>;

export function customerProfileStartInput(customerId: string, defaults: CustomerProfileDefaults = {}): CustomerProfileInput {
  return { ...defaults, customerId };
}

/**
 * The start options of `customer:<id>`, for `signalWithStart`, `new WithStartWorkflowOperation(...)` and `start`:
 * the id, the start input, an existing run kept (never a second one), CustomerId set at start (unless the server
 * lacks the journey search attributes: defaults.searchAttributes false) and a summary for the UI.
 */
export function customerStartOptions(customerId: string, taskQueue: string, defaults: CustomerProfileDefaults = {}) {
  return {
    workflowId: customerWorkflowId(customerId),
    taskQueue,
    args: [customerProfileStartInput(customerId, defaults)] as [CustomerProfileInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    ...(defaults.searchAttributes === false ? {} : { typedSearchAttributes: [{ key: CustomerId, value: customerId }] }),
    staticSummary: `customer ${customerId}`,
  };
}
