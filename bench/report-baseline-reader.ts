// The baseline of bench/report.ts: the hand-coded JS KPI report the DuckDB engine replaced (reports/kpis.ts before
// the engine), kept here only to be timed against it. Reads every log with readTrackingLog and computes 18 KPIs
// per journey and version in JS.
import type { TrackingRecord } from '../workflows/contract/index.ts';

export interface KpiPeriod {
  /** Inclusive, ISO. */
  from?: string;
  /** Exclusive, ISO. */
  to?: string;
}

export interface Distribution {
  n: number;
  mean: number | null;
  median: number | null;
}

export interface JourneyKpis {
  journeyId: string;
  journeyVersion: number;
  /** Customers with any record of this journey version in the period. */
  customers: number;
  /** Customers with a `qualified` record. */
  advocatePoolSize: number;
  /** Customers whose last NPS (data.nps) is 9-10 / customers with an NPS. */
  promoterRate: number | null;
  /** Customers qualified / customers. */
  referralReadyRate: number | null;
  /** Customers with an `ask.sent` / customers (warm introduction offer rate). */
  askedRate: number | null;
  /** Asked customers with a `referral.submitted` / asked customers. */
  invitationRate: number | null;
  /** Asked customers with an `action.taken` / asked customers. */
  promptAcceptanceRate: number | null;
  /** Qualified customers with an `action.taken` / qualified customers. */
  participationRate: number | null;
  /** `action.taken` records / customers with one. */
  activitiesPerAdvocate: number | null;
  /** Referrals (data.referralId) with `referral.closed_won` / referrals with `referral.submitted`. */
  referralConversionRate: number | null;
  /** Days from a customer's first `ask.sent` to their first later `referral.submitted`. */
  timeToFirstReferralDays: Distribution;
  /** Days from `referral.submitted` to `referral.closed_won` of the same referral. */
  daysReferralToClose: Distribution;
  /** Sum of data.revenue on each referral's last `referral.opportunity`. */
  referralPipeline: number;
  /** Sum of data.revenue on `referral.closed_won`. */
  referralRevenue: number;
  /** Referrals closed won / referrals closed (won or lost). */
  winRate: number | null;
  /** Advocates who acted in two or more cycles / advocates who acted. */
  reEngagementRate: number | null;
  /** Sum of data.amount on `reward.issued` minus data.amount on `reward.reversed`. */
  rewardCost: number;
  /** (referralRevenue - rewardCost) / rewardCost. */
  roi: number | null;
}

const DAY_MS = 86_400_000;
const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function distribution(values: number[]): Distribution {
  if (values.length === 0) return { n: 0, mean: null, median: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return {
    n: values.length,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
  };
}

export function inPeriod(rec: TrackingRecord, period: KpiPeriod): boolean {
  return (!period.from || rec.at >= period.from) && (!period.to || rec.at < period.to);
}

/** KPIs of one journey version from its records (already in the period), sorted by time. */
function kpisOf(journeyId: string, journeyVersion: number, records: TrackingRecord[]): JourneyKpis {
  const byType = (type: string) => records.filter((r) => r.type === type);
  const customersWith = (type: string) => new Set(byType(type).map((r) => r.customerId));
  const all = new Set(records.map((r) => r.customerId));
  const qualified = customersWith('qualified');
  const asked = customersWith('ask.sent');
  const actors = customersWith('action.taken');
  const referrers = customersWith('referral.submitted');
  const intersect = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length;

  const lastNps = new Map<string, number>();
  for (const r of records) {
    const n = num(r.data?.nps);
    if (n !== undefined) lastNps.set(r.customerId, n);
  }
  const promoters = [...lastNps.values()].filter((n) => n >= 9).length;

  // Referrals are identified by (customer, referralId): two advocates may reuse an id.
  const ref = (r: TrackingRecord) => `${r.customerId}\u0000${String(r.data?.referralId ?? '')}`;
  const submitted = new Map<string, TrackingRecord>();
  for (const r of byType('referral.submitted')) if (!submitted.has(ref(r))) submitted.set(ref(r), r);
  const won = new Map<string, TrackingRecord>();
  for (const r of byType('referral.closed_won')) if (!won.has(ref(r))) won.set(ref(r), r);
  const lost = new Set(byType('referral.closed_lost').map(ref));
  const opportunity = new Map<string, number>();
  for (const r of byType('referral.opportunity')) {
    const v = num(r.data?.revenue);
    if (v !== undefined) opportunity.set(ref(r), v);
  }
  const revenue = [...won.values()].reduce((s, r) => s + (num(r.data?.revenue) ?? 0), 0);
  const closed = new Set([...won.keys(), ...lost]);

  const firstAt = (type: string) => {
    const m = new Map<string, number>();
    for (const r of byType(type)) if (!m.has(r.customerId)) m.set(r.customerId, Date.parse(r.at));
    return m;
  };
  const firstAsk = firstAt('ask.sent');
  const referralTimes = new Map<string, number[]>();
  for (const r of byType('referral.submitted')) {
    if (!referralTimes.has(r.customerId)) referralTimes.set(r.customerId, []);
    referralTimes.get(r.customerId)!.push(Date.parse(r.at)); // records are sorted by time
  }
  const timeToFirst: number[] = [];
  for (const [customer, askAt] of firstAsk) {
    const first = referralTimes.get(customer)?.find((t) => t >= askAt);
    if (first !== undefined) timeToFirst.push((first - askAt) / DAY_MS);
  }
  const toClose = [...won.entries()]
    .filter(([k]) => submitted.has(k))
    .map(([k, w]) => (Date.parse(w.at) - Date.parse(submitted.get(k)!.at)) / DAY_MS);

  // The cycle of an action: data.cycle when the interpreter gives it, else the customer's completed cycles before it.
  const cyclesByActor = new Map<string, Set<number>>();
  const completed = new Map<string, number>();
  for (const r of records) {
    if (r.type === 'cycle.completed') completed.set(r.customerId, (completed.get(r.customerId) ?? 0) + 1);
    if (r.type !== 'action.taken') continue;
    const cycle = num(r.data?.cycle) ?? completed.get(r.customerId) ?? 0;
    if (!cyclesByActor.has(r.customerId)) cyclesByActor.set(r.customerId, new Set());
    cyclesByActor.get(r.customerId)!.add(cycle);
  }
  const reEngaged = [...cyclesByActor.values()].filter((c) => c.size >= 2).length;

  const cost =
    byType('reward.issued').reduce((s, r) => s + (num(r.data?.amount) ?? 0), 0) -
    byType('reward.reversed').reduce((s, r) => s + (num(r.data?.amount) ?? 0), 0);

  return {
    journeyId,
    journeyVersion,
    customers: all.size,
    advocatePoolSize: qualified.size,
    promoterRate: ratio(promoters, lastNps.size),
    referralReadyRate: ratio(qualified.size, all.size),
    askedRate: ratio(asked.size, all.size),
    invitationRate: ratio(intersect(asked, referrers), asked.size),
    promptAcceptanceRate: ratio(intersect(asked, actors), asked.size),
    participationRate: ratio(intersect(qualified, actors), qualified.size),
    activitiesPerAdvocate: ratio(byType('action.taken').length, actors.size),
    referralConversionRate: ratio([...submitted.keys()].filter((k) => won.has(k)).length, submitted.size),
    timeToFirstReferralDays: distribution(timeToFirst),
    daysReferralToClose: distribution(toClose),
    referralPipeline: [...opportunity.values()].reduce((s, v) => s + v, 0),
    referralRevenue: revenue,
    winRate: ratio(won.size, closed.size),
    reEngagementRate: ratio(reEngaged, cyclesByActor.size),
    rewardCost: cost,
    roi: cost === 0 ? null : (revenue - cost) / cost,
  };
}

/** KPIs per journey and version over the period [from, to), from tracking records (deduplicated by the reader). */
export function computeKpis(records: TrackingRecord[], period: KpiPeriod = {}): JourneyKpis[] {
  const groups = new Map<string, TrackingRecord[]>();
  for (const r of records) {
    if (!inPeriod(r, period)) continue;
    const g = `${r.journeyId}\u0000${r.journeyVersion}`;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(r);
  }
  return [...groups.entries()]
    .map(([g, recs]) => {
      const [journeyId, version] = g.split('\u0000');
      return kpisOf(
        journeyId,
        Number(version),
        recs.sort((a, b) => a.at.localeCompare(b.at)),
      );
    })
    .sort((a, b) => a.journeyId.localeCompare(b.journeyId) || a.journeyVersion - b.journeyVersion);
}
