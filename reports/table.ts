// Renders KPI results as a plain-text table for `journey report`: one column per journey version.
import type { Distribution, JourneyKpis } from './kpis.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const n1 = (v: number | null) => (v === null ? '—' : v.toFixed(2));
const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const dist = (d: Distribution) => (d.n === 0 ? '—' : `${d.mean!.toFixed(1)} (median ${d.median!.toFixed(1)}, n=${d.n})`);

const ROWS: [string, (k: JourneyKpis) => string][] = [
  ['customers', (k) => String(k.customers)],
  ['advocate pool', (k) => String(k.advocatePoolSize)],
  ['promoter rate', (k) => pct(k.promoterRate)],
  ['referral-ready rate', (k) => pct(k.referralReadyRate)],
  ['asked rate', (k) => pct(k.askedRate)],
  ['invitation rate', (k) => pct(k.invitationRate)],
  ['prompt acceptance', (k) => pct(k.promptAcceptanceRate)],
  ['participation rate', (k) => pct(k.participationRate)],
  ['activities / advocate', (k) => n1(k.activitiesPerAdvocate)],
  ['referral conversion', (k) => pct(k.referralConversionRate)],
  ['days to 1st referral', (k) => dist(k.timeToFirstReferralDays)],
  ['days referral→close', (k) => dist(k.daysReferralToClose)],
  ['referral pipeline', (k) => money(k.referralPipeline)],
  ['referral revenue', (k) => money(k.referralRevenue)],
  ['win rate', (k) => pct(k.winRate)],
  ['re-engagement rate', (k) => pct(k.reEngagementRate)],
  ['reward cost', (k) => money(k.rewardCost)],
  ['ROI', (k) => (k.roi === null ? '—' : `${k.roi.toFixed(1)}x`)],
];

export function renderKpiTable(kpis: JourneyKpis[]): string {
  if (kpis.length === 0) return 'no tracking records in this period';
  const header = ['KPI', ...kpis.map((k) => `${k.journeyId} v${k.journeyVersion}`)];
  const rows = [header, ...ROWS.map(([label, f]) => [label, ...kpis.map(f)])];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
