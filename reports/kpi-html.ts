// `journey report --html FILE`: one self-contained page (no script, no outside file) with a funnel per journey
// (delighted → qualified → asked → acted → referred → won, the drop-off at each step), weekly trends and the KPI
// table. The charts are Vega-Lite specs compiled by `vega-lite` and rendered to SVG by `vega` in Node, offline.
import * as vega from 'vega';
import type { ExperimentReport } from './experiments/report.ts';
import { renderExperimentHtml } from './experiments/render.ts';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { KpiReport } from './engine/kpi-engine.ts';
import { formatValue, groupLabel, waitingText } from './kpi-text.ts';

/** The funnel's steps, each a count KPI of customers, and the drop-off KPI into it. */
export const FUNNEL_STEPS = [
  { step: 'delighted', count: 'delighted-customers' },
  { step: 'qualified', count: 'qualified-customers', dropOff: 'funnel-drop-off-delighted-to-qualified' },
  { step: 'asked', count: 'asked-customers', dropOff: 'funnel-drop-off-qualified-to-asked' },
  { step: 'acted', count: 'acting-advocates', dropOff: 'funnel-drop-off-asked-to-acted' },
  { step: 'referred', count: 'referring-advocates', dropOff: 'funnel-drop-off-acted-to-referred' },
  { step: 'won', count: 'advocates-with-won-referral', dropOff: 'funnel-drop-off-referred-to-won' },
] as const;

/** The weekly trend lines (count or currency KPIs). */
export const TREND_KPIS = ['asked-customers', 'referring-advocates', 'inbound-referral-lead-volume', 'new-users-from-referrals'];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function svgOf(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function funnelSpec(journey: string, rows: { step: string; customers: number; label: string; order: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: journey,
    width: 520,
    height: 200,
    data: { values: rows },
    encoding: {
      y: { field: 'step', type: 'nominal', sort: { field: 'order' }, title: null },
      x: { field: 'customers', type: 'quantitative', title: 'customers' },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' } },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'label' } } },
    ],
  };
}

function trendSpec(rows: { week: string; kpi: string; value: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Weekly trends, all journeys',
    width: 640,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'temporal', title: 'week' },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'kpi', type: 'nominal', title: null },
    },
  };
}

export interface HtmlReportInput {
  /** By journey (funnels). */
  byJourney: KpiReport;
  /** By week (trends). */
  byWeek: KpiReport;
  /** The KPI table's breakdown (default journey and version). */
  table: KpiReport;
  /** The declared experiments' reports, each shown with its arms side by side. */
  experiments?: ExperimentReport[];
  generatedAt: string;
}

export async function renderKpiHtml(input: HtmlReportInput): Promise<string> {
  const { byJourney, byWeek, table } = input;
  const funnels: string[] = [];
  for (const g of byJourney.groups) {
    const journey = String(g.key.journey ?? '(no journey)');
    const rows = FUNNEL_STEPS.map((s, order) => {
      const customers = g.values[s.count] ?? 0;
      const drop = 'dropOff' in s ? g.values[s.dropOff] : null;
      const label = `${customers}${drop === null || drop === undefined ? '' : `  (−${(drop * 100).toFixed(1)}%)`}`;
      return { step: s.step, customers, label, order };
    });
    funnels.push(`<figure class="funnel">${await svgOf(funnelSpec(journey, rows))}</figure>`);
  }
  const trendRows = byWeek.groups.flatMap((g) =>
    TREND_KPIS.flatMap((id) => {
      const k = byWeek.kpis.find((x) => x.id === id);
      const v = g.values[id];
      return k && v !== null && g.key.week ? [{ week: String(g.key.week), kpi: k.name, value: v }] : [];
    }),
  );
  const trends = trendRows.length ? await svgOf(trendSpec(trendRows)) : '<p>No weekly data yet.</p>';
  const head = ['KPI', ...table.groups.map((g) => groupLabel(table.by, g))];
  const body = table.kpis
    .map((k) => {
      const cells = table.groups.map((g) =>
        k.status === 'waiting'
          ? `<td class="waiting">${escape(waitingText(k))}</td>`
          : `<td>${escape(formatValue(k.unit, g.values[k.id]))}</td>`,
      );
      return `<tr><th scope="row" title="${escape(k.description)}">${escape(k.name)}</th>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Advocacy KPI report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; }
.funnels { display: flex; flex-wrap: wrap; gap: 16px; } figure { margin: 0; }
table { border-collapse: collapse; } th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
th[scope=row] { text-align: left; font-weight: normal; } table.arms td { white-space: nowrap; } td.waiting { color: #a15c00; font-style: italic; }
.meta { color: #666; }
</style></head><body>
<h1>Advocacy KPI report</h1>
<p class="meta">Generated ${escape(input.generatedAt)} from ${table.sources.records.toLocaleString('en-US')} tracking records in ${table.sources.files.length} log file(s).${
    Object.keys(table.filters).length ? ` Filters: ${escape(JSON.stringify(table.filters))}.` : ''
  }</p>
<h2>Funnel per journey</h2>
<div class="funnels">${funnels.join('\n') || '<p>No tracking records yet.</p>'}</div>
<h2>Weekly trends</h2>
<figure class="trends">${trends}</figure>
${input.experiments?.length ? `<h2>Experiments</h2>\n${input.experiments.map(renderExperimentHtml).join('\n')}\n` : ''}<h2>KPIs</h2>
<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
