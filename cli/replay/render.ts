// What `journey backtest` prints: per customer, dated in the customer's own zone, every ask (and why), moved ask,
// suppression, reward (with its cost) and referral; then the totals and the forecast with its assumptions.
import { formatLocal } from '../../workflows/journey/send-window.ts';
import type { BacktestOutcome, CustomerOutcome, Totals } from './outcomes.ts';

export function money(cost: Record<string, number>): string {
  const parts = Object.entries(cost)
    .filter(([, n]) => n !== 0)
    .map(([currency, n]) => `${Math.round(n * 100) / 100}${currency ? ` ${currency}` : ''}`);
  return parts.length ? parts.join(' + ') : '0';
}

function customerLines(c: CustomerOutcome, zone: string): string[] {
  const at = (iso: string) => formatLocal(Date.parse(iso), zone);
  const lines: Array<[string, string]> = [
    ...c.asks.map((a): [string, string] => [
      a.at,
      `ASK #${a.attempt} (${a.journeyId}) via ${a.channel}${a.to ? ` to ${a.to}` : ''}${a.subject ? `: "${a.subject}"` : `, template ${a.template}`}; why: ${a.why}`,
    ]),
    ...c.moved.map((m): [string, string] => [
      m.at,
      `ask #${m.attempt} (${m.journeyId}) moved from ${at(m.from)} to ${at(m.to)}: ${m.reason}`,
    ]),
    ...c.suppressions.map((s): [string, string] => [
      s.at,
      `SUPPRESSED (${s.journeyId}) by ${s.rule}${s.reason ? `: ${s.reason}` : ''}${s.until ? ` until ${at(s.until)}` : ''}`,
    ]),
    ...c.rewards.map((r): [string, string] => [
      r.at,
      r.amount < 0
        ? `reward REVERSED (${r.journeyId}) for ${r.referralId}: ${r.amount} ${r.currency}`
        : `REWARD (${r.journeyId}) ${r.role}: ${r.kind} ${r.amount} ${r.currency}${r.referralId ? ` for ${r.referralId}` : ''}`,
    ]),
    ...c.referrals.map((r): [string, string] => [
      r.at,
      `referral ${r.referralId} ${r.stage} (${r.journeyId})${r.revenue !== undefined ? `, revenue ${r.revenue}` : ''}`,
    ]),
  ];
  return lines.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0])).map(([t, text]) => `  ${at(t)}  ${text}`);
}

export function totalsLines(t: Totals): string[] {
  return [
    `  customers replayed: ${t.customers}; asked: ${t.customersAsked}`,
    `  asks: ${t.asks}`,
    `  suppressions: ${t.suppressions}`,
    `  rewards issued: ${t.rewards}, cost ${money(t.rewardCost)}`,
    `  referrals: ${t.referrals}; converted: ${t.conversions}; referred revenue: ${t.referredRevenue}`,
  ];
}

export function renderBacktest(
  o: BacktestOutcome,
  ctx: { header: string[]; zoneOf(customerId: string): string; showQuietCustomers?: boolean },
): string {
  const lines = [...ctx.header, ''];
  let quiet = 0;
  for (const c of o.customers) {
    const body = customerLines(c, ctx.zoneOf(c.customerId));
    if (body.length === 0) {
      quiet++;
      if (!ctx.showQuietCustomers) continue;
    }
    lines.push(`customer ${c.customerId} (${ctx.zoneOf(c.customerId)})`, ...(body.length ? body : ['  nothing happened']));
  }
  if (quiet && !ctx.showQuietCustomers)
    lines.push(`${quiet} customer${quiet === 1 ? '' : 's'} with no ask, suppression, reward or referral`);
  const f = o.forecast;
  lines.push(
    '',
    `total over ${o.window.days} days (${o.window.from.slice(0, 10)} to ${o.window.to.slice(0, 10)})`,
    ...totalsLines(o.totals),
    '',
    `forecast for the next ${f.periodDays} days`,
    `  referrals: ${f.referrals} (rough 95% range ${f.referralsRange[0]}-${f.referralsRange[1]}); converted: ${f.conversions}; referred revenue: ${f.referredRevenue}`,
    `  from the rates replayed: ${f.rates.asksPerCustomer} asks per customer, ${f.rates.referralsPerAsk} referrals per ask, ${f.rates.conversionRate} of referrals converted, ${f.rates.revenuePerConversion} revenue per conversion`,
    '  assuming:',
    ...f.assumptions.map((a) => `    - ${a}`),
  );
  return lines.join('\n');
}
