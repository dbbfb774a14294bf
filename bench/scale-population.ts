// The customers of bench/scale.ts and their events: deterministic (customer i always sends the same), a mix a
// mid-size B2B company sees in a week. Every customer answers NPS (45 % promoters 9-10, 30 % passives 7-8, 25 %
// detractors 0-6); a third reach a milestone, 10 % close a support case with praise, 5 % renew for two years, 4 %
// have a payment fail. About 1.5 events per customer, through all four shipped journeys.
export interface ScaleEvent {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

const ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
const SEGMENTS = ['smb', 'mid-market', 'enterprise'];

/** A well-spread deterministic number in [0, 1) for customer i and a salt. */
function unit(i: number, salt: number): number {
  let h = (i * 2654435761 + salt * 40503) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 2246822507) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 3266489909) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

export function customerEvents(i: number): ScaleEvent[] {
  const customerId = `c${i}`;
  const now = new Date().toISOString();
  const r = unit(i, 1);
  const score = r < 0.45 ? 9 + Math.floor(unit(i, 2) * 2) : r < 0.75 ? 7 + Math.floor(unit(i, 2) * 2) : Math.floor(unit(i, 2) * 7);
  const traits = {
    email: `${customerId}@customer.example`,
    firstName: `Customer${i}`,
    timezone: ZONES[i % ZONES.length],
    healthScore: 50 + Math.floor(unit(i, 3) * 51),
    segment: SEGMENTS[i % SEGMENTS.length],
  };
  const event = (n: number, type: string, data: Record<string, unknown>): ScaleEvent => ({
    id: `${customerId}-${n}`,
    type,
    customerId,
    occurredAt: now,
    data,
    ...(n === 0 ? { traits } : {}),
  });
  const events = [event(0, 'nps.submitted', { score })];
  if (unit(i, 4) < 1 / 3) events.push(event(1, 'milestone.reached', { milestone: 'go-live' }));
  if (unit(i, 5) < 0.1) events.push(event(2, 'support.case_closed', { caseId: `case-${i}`, praise: true }));
  if (unit(i, 6) < 0.05) events.push(event(3, 'contract.renewed', { termMonths: 24, arr: 24_000 }));
  if (unit(i, 7) < 0.04) events.push(event(4, 'payment.failed', { invoiceId: `inv-${i}` }));
  return events;
}
