// The demo's customers: generated, deterministic (same ids, names and scenarios on every start), so a
// second `npm start` finds the same customers and the API's idempotency keys drop what was already sent.
import { SCENARIOS, type DemoStep, type Scenario } from './scenarios.ts';

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Linus', 'Margaret'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Torvalds', 'Hamilton'];
const COMPANY = ['Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka', 'Gringotts'];
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'America/Los_Angeles', 'Europe/London', 'Australia/Sydney'];

export interface DemoCustomer {
  id: string;
  scenario: Scenario;
  traits: Record<string, unknown>;
  /** Seconds after the demo's start at which this customer's first event goes out (staggered arrivals). */
  startsAt: number;
  steps: DemoStep[];
}

/** `count` customers cycling through the scenarios, arriving `spacingSeconds` apart, with ids `<prefix>-001`, ... */
export function demoPopulation(count: number, spacingSeconds = 2, prefix = 'demo'): DemoCustomer[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${String(i + 1).padStart(3, '0')}`;
    const scenario = SCENARIOS[i % SCENARIOS.length];
    const firstName = FIRST[i % FIRST.length];
    const lastName = LAST[(i * 5) % LAST.length];
    const company = COMPANY[(i * 7) % COMPANY.length];
    return {
      id,
      scenario,
      startsAt: i * spacingSeconds,
      traits: {
        email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@${company.toLowerCase()}.example`,
        firstName, lastName, company, timezone: ZONES[i % ZONES.length], locale: 'en',
        plan: 'growth', arr: 12_000 + 3_000 * (i % 9), region: 'NA', industry: 'software',
        ...scenario.traits,
      },
      steps: scenario.steps(id),
    };
  });
}

/** The event id of a step: stable across restarts, so resending it is a no-op. */
export function demoEventId(customerId: string, stepIndex: number, step: DemoStep): string {
  return `demo:${customerId}:${stepIndex}:${step.type}`;
}
