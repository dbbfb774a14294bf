// `--html FILE` of backtest and diff: one self-contained page (no script, no outside file): asks, referrals and
// rewards per week as a chart (Vega-Lite rendered to SVG offline, as the KPI report's charts are), the totals, the
// forecast with its assumptions, and one table row per customer with something to report.
import type { TopLevelSpec } from 'vega-lite';
import { svgOf } from '../../reports/kpi-html.ts';
import type { BacktestOutcome } from './outcomes.ts';
import { money } from './render.ts';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function weekOf(iso: string): string {
  const d = new Date(iso);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function weeklySpec(o: BacktestOutcome): TopLevelSpec {
  const counts = new Map<string, number>();
  const add = (what: string, iso: string) => counts.set(`${weekOf(iso)}|${what}`, (counts.get(`${weekOf(iso)}|${what}`) ?? 0) + 1);
  for (const c of o.customers) {
    c.asks.forEach((a) => add('asks', a.at));
    c.suppressions.forEach((s) => add('suppressions', s.at));
    c.rewards.filter((r) => r.amount >= 0).forEach((r) => add('rewards', r.at));
    c.referrals.filter((r) => r.stage === 'submitted').forEach((r) => add('referrals', r.at));
  }
  const values = [...counts].map(([key, n]) => ({ week: key.split('|')[0], what: key.split('|')[1], n }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Per week',
    width: 640,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'temporal', title: 'week' },
      y: { field: 'n', type: 'quantitative', title: 'count' },
      color: { field: 'what', type: 'nominal', title: null },
    },
  };
}

export async function renderBacktestHtml(o: BacktestOutcome, header: string[]): Promise<string> {
  const t = o.totals;
  const f = o.forecast;
  const rows = o.customers
    .filter((c) => c.asks.length + c.suppressions.length + c.rewards.length + c.referrals.length > 0)
    .map((c) => {
      const cost: Record<string, number> = {};
      for (const r of c.rewards) cost[r.currency] = (cost[r.currency] ?? 0) + r.amount;
      const asks = c.asks.map((a) => `${a.at.slice(0, 16).replace('T', ' ')} #${a.attempt}`).join('<br>');
      return `<tr><td>${escape(c.customerId)}</td><td>${asks}</td><td>${c.suppressions.length}</td><td>${escape(money(cost))}</td><td>${c.referrals.filter((r) => r.stage === 'submitted').length}</td><td>${c.referrals.reduce((n, r) => n + (r.stage === 'closed_won' ? (r.revenue ?? 0) : 0), 0)}</td></tr>`;
    });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Backtest</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}</style></head><body>
<h1>Backtest</h1>${header.map((h) => `<p>${escape(h)}</p>`).join('')}
${await svgOf(weeklySpec(o))}
<h2>Total over ${o.window.days} days</h2>
<table><tr><th>customers</th><th>asked</th><th>asks</th><th>suppressions</th><th>rewards</th><th>reward cost</th><th>referrals</th><th>converted</th><th>referred revenue</th></tr>
<tr><td>${t.customers}</td><td>${t.customersAsked}</td><td>${t.asks}</td><td>${t.suppressions}</td><td>${t.rewards}</td><td>${escape(money(t.rewardCost))}</td><td>${t.referrals}</td><td>${t.conversions}</td><td>${t.referredRevenue}</td></tr></table>
<h2>Forecast for the next ${f.periodDays} days</h2>
<p>Referrals ${f.referrals} (rough 95% range ${f.referralsRange[0]}–${f.referralsRange[1]}), converted ${f.conversions}, referred revenue ${f.referredRevenue}.</p>
<ul>${f.assumptions.map((a) => `<li>${escape(a)}</li>`).join('')}</ul>
<h2>Customers</h2>
<table><tr><th>customer</th><th>asks (UTC)</th><th>suppressions</th><th>reward cost</th><th>referrals</th><th>referred revenue</th></tr>
${rows.join('\n')}</table></body></html>
`;
}
