// The door inside the customer's own workflow (customer:<id>): its customerEvent and updateTraits signals come from
// the API, an activity or any other client with the official one, past every check the API makes. What it must not
// act on is refused and counted, never thrown (a throwing signal handler fails the workflow task on every retry):
// anything that is not an event or a traits object, an event about another customer (its traits would become this
// customer's), and traits no ask could use (the same check the journey runs make, journey/event-check.ts).
import type { JourneyEvent } from '../contract/index.ts';
import { isUnreadablePayload } from '../contract/index.ts';
import { traitProblems } from '../journey/event-check.ts';

/** Refused signals, for operators: how many, and why the last one was. */
export interface RefusedSignals {
  count: number;
  last: string;
}

const shown = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 80);

/** Why this customer's workflow must not take the event, or undefined when it may. */
export function customerEventRefusal(event: unknown, customerId: string): string | undefined {
  const e = event as Partial<JourneyEvent> | null;
  if (!e || typeof e !== 'object' || Array.isArray(e) || isUnreadablePayload(e)) return `not an event: ${shown(event)}`;
  if (typeof e.id !== 'string' || !e.id || e.id.length > 200) return 'the event has no id (1-200 characters)';
  if (typeof e.type !== 'string' || !e.type) return `event ${e.id.slice(0, 80)} has no type`;
  if (e.customerId !== customerId)
    return `event ${e.id.slice(0, 80)} names customer ${shown(e.customerId)}, and this is ${customerId}'s workflow`;
  const problems = traitProblems(e.traits);
  return problems.length > 0 ? `event ${e.id.slice(0, 80)}: ${problems.join('; ')}` : undefined;
}

/** Why these traits must not be merged, or undefined when they may. */
export function traitsRefusal(traits: unknown): string | undefined {
  if (!traits || typeof traits !== 'object' || Array.isArray(traits) || isUnreadablePayload(traits))
    return `not a traits object: ${shown(traits)}`;
  const problems = traitProblems(traits);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

export function countRefusal(previous: RefusedSignals | undefined, why: string): RefusedSignals {
  return { count: (previous?.count ?? 0) + 1, last: why.slice(0, 300) };
}
