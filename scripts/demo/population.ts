// The demo's customers: generated, deterministic (same ids, names and scenarios on every start), so a
// second `npm start` finds the same customers and the API's idempotency keys drop what was already sent.
import { SCENARIOS, type DemoStep, type Scenario } from './scenarios.ts';

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Linus', 'Margaret'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Torvalds',
  'Hamilton',
];
const COMPANY = [
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Wonka',
  'Gringotts',
];
const ZONES = [
  'Pacific/Honolulu',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Atlantic/Azores',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Helsinki',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Bangkok',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
];

/**
 * Time zones where it is working hours right now. The demo shrinks journey days to seconds, but the contact
 * policy across journeys (customer:<id>) keeps real quiet hours in the customer's zone; customers who live in
 * daytime zones are asked at once instead of at their 8 o'clock.
 */
export function daytimeZones(now = new Date()): string[] {
  const hourIn = (zone: string) =>
    Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: zone }).format(now));
  const awake = ZONES.filter((zone) => hourIn(zone) >= 9 && hourIn(zone) < 17);
  return awake.length > 0 ? awake : ZONES;
}

export interface DemoCustomer {
  id: string;
  scenario: Scenario;
  traits: Record<string, unknown>;
  /** Seconds after the demo's start at which this customer's first event goes out (staggered arrivals). */
  startsAt: number;
  steps: DemoStep[];
}

/** `count` customers cycling through the scenarios, arriving `spacingSeconds` apart, with ids `<prefix>-001`, ... */
export function demoPopulation(count: number, spacingSeconds = 2, prefix = 'demo', zones = daytimeZones()): DemoCustomer[] {
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
        firstName,
        lastName,
        company,
        timezone: zones[i % zones.length],
        locale: 'en',
        plan: 'growth',
        arr: 12_000 + 3_000 * (i % 9),
        region: 'NA',
        industry: 'software',
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
