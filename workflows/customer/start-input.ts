// The start input of the customer workflow customer:<id>, built in one place: the worker's activities
// (update-with-start, signal-with-start) and the API (events, traits, opt-out) all start it, and whoever
// starts it first decides the policy it runs with, so they must build the same input. Pure.
import type { CustomerProfileInput } from './profile.ts';

/** What a process passes to every customer workflow it starts: the loaded contact policy, plus test knobs. */
export type CustomerProfileDefaults = Omit<CustomerProfileInput, 'customerId' | 'carried'>;

export function customerProfileStartInput(customerId: string, defaults: CustomerProfileDefaults = {}): CustomerProfileInput {
  return { ...defaults, customerId };
}
