// What happens to each demo customer, as a timed list of events a backend would send. One scenario per
// situation the engine must handle, so every stage (and every reason to hold back) shows up in the UI.
// Times are seconds after the customer's first event; with one journey day = 2 s (the default demo scale),
// a 2-day first-ask delay is 4 s, so actions are timed after the ask has gone out.
import table from './scenarios.json' with { type: 'json' };

export interface DemoStep {
  /** Seconds after the customer's first event. */
  at: number;
  type: string;
  data: Record<string, unknown>;
  /** Send this event about another customer id (a referred friend's conversion events). */
  aboutCustomer?: string;
}

export interface Scenario {
  id: string;
  /** One line for the progress printout and the docs. */
  story: string;
  traits: Record<string, unknown>;
  steps(customerId: string): DemoStep[];
}

/** A referral's four events, as a friend's conversion arrives: submitted, qualified, opportunity, closed won. */
function referral(customerId: string, n: number, at: number, amount: number): DemoStep[] {
  const referralId = `${customerId}-ref-${n}`;
  const friend = `${customerId}-friend-${n}`;
  const ids = { referralId, referrerId: customerId };
  return [
    {
      at,
      type: 'referral.submitted',
      data: { referralId, referredEmail: `friend${n}@${friend}.example`, referredName: `Friend ${n}`, referredCustomerId: friend },
    },
    { at: at + 6, type: 'referral.qualified', data: ids, aboutCustomer: friend },
    { at: at + 12, type: 'opportunity.created', data: { ...ids, amount }, aboutCustomer: friend },
    { at: at + 20, type: 'deal.closed_won', data: { ...ids, amount, currency: 'USD' }, aboutCustomer: friend },
  ];
}

/** One step as the table writes it: an event, or a referral's four events. */
type TableStep = DemoStep | { referral: number; at: number; amount: number };
interface TableScenario {
  id: string;
  story: string;
  traits: Record<string, unknown>;
  steps: TableStep[];
}

// The table is data (scripts/demo/scenarios.json); each customer gets its own copy of the steps, in table order
// (the driver sends them in that order).
export const SCENARIOS: Scenario[] = (table.scenarios as TableScenario[]).map((s) => ({
  id: s.id,
  story: s.story,
  traits: s.traits,
  steps: (customerId) =>
    s.steps.flatMap((step) => ('referral' in step ? referral(customerId, step.referral, step.at, step.amount) : [structuredClone(step)])),
}));
