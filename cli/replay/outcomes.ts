// What a backtest found, per customer and in total, from the tracking records the replay wrote: asks (when, and
// why: the delight heard and the motion qualified for), moved asks, suppressions, rewards and their cost,
// referrals and referred revenue; and a forecast of the next period from the rates those show. Times are moved
// back by the replay's shift, so they read in the recorded history's calendar.
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import type { SentMessage } from './engine.ts';

export interface Ask {
  at: string;
  journeyId: string;
  sendKey: string;
  attempt: number;
  channel: string;
  motion?: string;
  to?: string;
  subject?: string;
  /** The template it was sent with (the subject of a server-side template is not known here). */
  template?: string;
  why: string;
}
export interface Suppression {
  at: string;
  journeyId: string;
  rule: string;
  reason?: string;
  until?: string;
}
export interface Reward {
  at: string;
  journeyId: string;
  role: string;
  kind: string;
  amount: number;
  currency: string;
  referralId?: string;
}
export interface Referral {
  at: string;
  journeyId: string;
  referralId: string;
  stage: string;
  revenue?: number;
}
export interface CustomerOutcome {
  customerId: string;
  asks: Ask[];
  moved: Array<{ at: string; journeyId: string; sendKey?: string; attempt: number; from: string; to: string; reason: string }>;
  suppressions: Suppression[];
  rewards: Reward[];
  referrals: Referral[];
}
export interface Totals {
  customers: number;
  customersAsked: number;
  asks: number;
  suppressions: number;
  rewards: number;
  /** Reward cost by currency (issued minus reversed). */
  rewardCost: Record<string, number>;
  referrals: number;
  conversions: number;
  referredRevenue: number;
}
export interface Forecast {
  periodDays: number;
  referrals: number;
  conversions: number;
  referredRevenue: number;
  /** A rough 95% range for the referral count (Poisson, from the count the backtest saw). */
  referralsRange: [number, number];
  rates: { asksPerCustomer: number; referralsPerAsk: number; conversionRate: number; revenuePerConversion: number };
  assumptions: string[];
}
export interface BacktestOutcome {
  window: { from: string; to: string; days: number };
  customers: CustomerOutcome[];
  totals: Totals;
  forecast: Forecast;
}

type Data = Record<string, unknown>;
const DAY = 86_400_000;
const REFERRAL_STAGES = new Set(['referral.submitted', 'referral.opportunity', 'referral.closed_won', 'referral.closed_lost']);

/**
 * A suppression that was in force before the run existed. The API starts a run only with an event that can open a
 * cycle (api/routing.ts), so a detractor's hold or an opt-out reaches only customer:<id>; a run started later adopts it
 * without a `suppressed` record (it happened before the run) and shows it by ignoring the delight. That ignored delight
 * is the suppression a backtest must count; a re-entry interval is not a suppression.
 */
function heldBeforeTheRun(reason: string): { rule: string; reason: string } | undefined {
  if (!reason || reason.startsWith('re-entry interval')) return undefined;
  const opted = /^opted out: (.*)$/.exec(reason);
  if (opted) return { rule: 'opted-out', reason: `${opted[1]} (in force when the run started)` };
  const rule = /^([\w.-]+): (.*)$/.exec(reason);
  return rule ? { rule: rule[1], reason: `${rule[2]} (in force when the run started)` } : { rule: 'held', reason };
}

function emptyCustomer(customerId: string): CustomerOutcome {
  return { customerId, asks: [], moved: [], suppressions: [], rewards: [], referrals: [] };
}

export function summarizeBacktest(input: {
  records: TrackingRecord[];
  sent: SentMessage[];
  customerIds: string[];
  journeyIds: string[];
  shiftMs: number;
  fromMs: number;
  toMs: number;
}): BacktestOutcome {
  // To the minute: the test server's clock also runs while a workflow task or an activity is in progress, so a
  // fact lands milliseconds (on a loaded machine, seconds) after its due time; the minute is what a report means.
  const back = (iso: unknown) =>
    typeof iso === 'string' ? new Date(Math.floor((Date.parse(iso) - input.shiftMs) / 60_000) * 60_000).toISOString() : '';
  const mail = new Map(input.sent.map((m) => [m.sendKey, m]));
  const byCustomer = new Map(input.customerIds.map((id) => [id, emptyCustomer(id)]));
  const journeys = new Set(input.journeyIds);
  const lastDelight = new Map<string, string>();
  /** Runs (chains) that recorded a suppression as it happened: a delight they ignore later is that same suppression. */
  const appliedLive = new Set<string>();
  const lastQualified = new Map<string, { motion: string; reason: string }>();
  const records = input.records
    .filter((r) => journeys.has(r.journeyId) && byCustomer.has(r.customerId))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const r of records) {
    const c = byCustomer.get(r.customerId)!;
    const d: Data = r.data ?? {};
    const at = back(r.at);
    const run = `${r.journeyId}:${r.customerId}:${r.cycle ?? 1}`;
    // The key is `<workflowId>:<chainId>:<cycle>:<type>:<n>`: one chain is a run and the runs it continued as.
    const chain = `${r.journeyId}:${r.customerId}:${r.key?.split(':').at(-4) ?? ''}`;
    if (r.type === 'delight') lastDelight.set(run, String(d.signal));
    else if (r.type === 'qualified') lastQualified.set(run, { motion: String(d.motion), reason: String(d.reason) });
    else if (r.type === 'ask.sent') {
      const q = lastQualified.get(run);
      const m = mail.get(String(d.sendKey));
      c.asks.push({
        at,
        journeyId: r.journeyId,
        sendKey: String(d.sendKey),
        attempt: Number(d.attempt),
        channel: String(d.channel),
        motion: r.motion ?? q?.motion,
        ...(m ? { to: m.to, subject: m.subject } : {}),
        template: String(d.template),
        why: `${Number(d.attempt) > 1 ? `reminder #${d.attempt} after ` : ''}delight ${lastDelight.get(run) ?? '(earlier cycle)'}, qualified for ${q?.motion ?? r.motion} (${q?.reason ?? 'carried over'})`,
      });
    } else if (r.type === 'ask.moved')
      c.moved.push({
        at,
        journeyId: r.journeyId,
        sendKey: typeof d.sendKey === 'string' ? d.sendKey : undefined,
        attempt: Number(d.attempt),
        from: back(d.from),
        to: back(d.to),
        reason: String(d.reason),
      });
    else if (r.type === 'suppressed') {
      appliedLive.add(chain);
      c.suppressions.push({
        at,
        journeyId: r.journeyId,
        rule: String(d.rule),
        ...(d.reason ? { reason: String(d.reason) } : {}),
        ...(d.until ? { until: back(d.until) } : {}),
      });
    } else if (r.type === 'delight.ignored') {
      const held = heldBeforeTheRun(String(d.reason ?? ''));
      if (held && !appliedLive.has(chain)) c.suppressions.push({ at, journeyId: r.journeyId, ...held });
    } else if (r.type === 'reward.issued' || r.type === 'reward.reversed') {
      const sign = r.type === 'reward.reversed' ? -1 : 1;
      c.rewards.push({
        at,
        journeyId: r.journeyId,
        role: String(d.role ?? 'referrer'),
        kind: String(d.kind ?? 'reversal'),
        amount: sign * Number(d.amount ?? 0),
        currency: String(d.currency ?? ''),
        ...(d.referralId ? { referralId: String(d.referralId) } : {}),
      });
    } else if (REFERRAL_STAGES.has(r.type))
      c.referrals.push({
        at,
        journeyId: r.journeyId,
        referralId: String(d.referralId),
        stage: r.type.slice('referral.'.length),
        ...(typeof d.revenue === 'number' ? { revenue: d.revenue } : {}),
      });
  }
  const customers = [...byCustomer.values()];
  const totals = totalsOf(customers);
  const days = Math.max(1, (input.toMs - input.fromMs) / DAY);
  return {
    window: { from: new Date(input.fromMs).toISOString(), to: new Date(input.toMs).toISOString(), days: Math.round(days * 10) / 10 },
    customers,
    totals,
    forecast: forecastOf(totals, days),
  };
}

export function totalsOf(customers: CustomerOutcome[]): Totals {
  const rewardCost: Record<string, number> = {};
  const rewards = customers.flatMap((c) => c.rewards);
  for (const r of rewards) rewardCost[r.currency] = (rewardCost[r.currency] ?? 0) + r.amount;
  const referrals = customers.flatMap((c) => c.referrals);
  return {
    customers: customers.length,
    customersAsked: customers.filter((c) => c.asks.length > 0).length,
    asks: customers.reduce((n, c) => n + c.asks.length, 0),
    suppressions: customers.reduce((n, c) => n + c.suppressions.length, 0),
    rewards: rewards.filter((r) => r.amount >= 0).length,
    rewardCost,
    referrals: referrals.filter((r) => r.stage === 'submitted').length,
    conversions: referrals.filter((r) => r.stage === 'closed_won').length,
    referredRevenue: referrals.reduce((n, r) => n + (r.stage === 'closed_won' ? (r.revenue ?? 0) : 0), 0),
  };
}

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/** The next period of the same length, from the backtest's own rates. */
export function forecastOf(t: Totals, days: number): Forecast {
  const asksPerCustomer = t.customers ? t.asks / t.customers : 0;
  const referralsPerAsk = t.asks ? t.referrals / t.asks : 0;
  const conversionRate = t.referrals ? t.conversions / t.referrals : 0;
  const revenuePerConversion = t.conversions ? t.referredRevenue / t.conversions : 0;
  const referrals = t.customers * asksPerCustomer * referralsPerAsk;
  const conversions = referrals * conversionRate;
  const spread = 1.96 * Math.sqrt(referrals);
  return {
    periodDays: Math.round(days * 10) / 10,
    referrals: round(referrals, 1),
    conversions: round(conversions, 1),
    referredRevenue: round(conversions * revenuePerConversion, 0),
    referralsRange: [round(Math.max(0, referrals - spread), 1), round(referrals + spread, 1)],
    rates: {
      asksPerCustomer: round(asksPerCustomer, 3),
      referralsPerAsk: round(referralsPerAsk, 3),
      conversionRate: round(conversionRate, 3),
      revenuePerConversion: round(revenuePerConversion, 0),
    },
    assumptions: [
      `the next ${Math.round(days)} days look like the ${Math.round(days)} replayed: the same ${t.customers} customers, with delight, escalations and other events at the same rates`,
      'the same journey versions, contact policy and reward rules',
      `each ask brings referrals at the replayed rate (${t.referrals} referrals from ${t.asks} asks), and referrals convert at the replayed rate (${t.conversions} of ${t.referrals}) with the replayed average deal`,
      'referrals still open at the end of the window are not counted as converted; deals that close later are not in these rates',
      'the range is a Poisson 95% range around the referral count, not a statement about the rates themselves',
    ],
  };
}
