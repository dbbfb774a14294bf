// An experiment report for people: a text table (CLI) and an HTML section with the arms side by side (journey
// report --html), both stating the method of each interval and saying when a result is too small to call.
import type { ArmResult, ExperimentReport } from './report.ts';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

function primaryText(r: ExperimentReport, a: ArmResult): string {
  if (r.primaryMetric.kind === 'rate') return a.primary.n ? `${pct(a.primary.value)} (${a.primary.x}/${a.primary.n})` : '—';
  return a.primary.value === null ? '—' : a.primary.value.toFixed(2);
}

function liftText(r: ExperimentReport, a: ArmResult): string {
  if (!a.lift) return 'baseline';
  const l = a.lift;
  const f = (v: number) =>
    r.primaryMetric.kind === 'rate' ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} pp` : `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
  const core = `${f(l.difference)} [${f(l.interval.low)}, ${f(l.interval.high)}]`;
  if (l.tooSmall) return `${core} (too small to call)`;
  return `${core}${l.significant ? ' *' : ''}`;
}

function rows(r: ExperimentReport): string[][] {
  const head = ['', ...r.arms.map((a) => (a.control ? `control (${pct(a.weight)})` : `${a.arm} (${pct(a.weight)})`))];
  const body = [
    ['customers', ...r.arms.map((a) => String(a.customers))],
    ...r.arms[0].funnel.map((f, i) => [f.step, ...r.arms.map((a) => `${a.funnel[i].customers} (${pct(a.funnel[i].rate)})`)]),
    [r.primaryMetric.id, ...r.arms.map((a) => primaryText(r, a))],
    ['lift over control (95 %)', ...r.arms.map((a) => liftText(r, a))],
  ];
  return [head, ...body];
}

export function renderExperimentTable(r: ExperimentReport): string {
  const table = rows(r);
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  const x = r.experiment;
  return [
    `experiment ${x.id} · journey ${x.journeyId} v${x.journeyVersions.join(', v')} · ${x.start} to ${x.end} · primary metric ${r.primaryMetric.id}`,
    ...lines,
    ...r.verdicts.map((v) => `- ${v}`),
    `population: ${r.methods.population}`,
    `interval: ${r.primaryMetric.method} (* the interval excludes 0)`,
  ].join('\n');
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One section per experiment: a table whose columns are control and each arm, side by side. */
export function renderExperimentHtml(r: ExperimentReport): string {
  const [head, ...body] = rows(r);
  const x = r.experiment;
  return `<section class="experiment" id="experiment-${escape(x.id)}">
<h3>Experiment ${escape(x.id)} <span class="meta">(${escape(x.journeyId)}, ${escape(x.start)} to ${escape(x.end)})</span></h3>
${x.description ? `<p>${escape(x.description)}</p>` : ''}
<table class="arms"><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead>
<tbody>
${body.map(([label, ...cells]) => `<tr><th scope="row">${escape(label)}</th>${cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
<ul>${r.verdicts.map((v) => `<li>${escape(v)}</li>`).join('')}</ul>
<p class="meta">Population: ${escape(r.methods.population)}. Interval: ${escape(r.primaryMetric.method)}; * marks an interval that excludes 0.</p>
</section>`;
}
