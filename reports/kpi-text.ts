// The KPI report as text: a table for people (`journey report`) and CSV for spreadsheets (`--csv`), both from
// the one KpiReport the engine returns. A waiting KPI says what it waits for; a value without data shows "—".
import type { Dimension, KpiGroup, KpiReport, KpiStatus } from './engine/kpi-engine.ts';

export function formatValue(unit: KpiStatus['unit'], v: number | null): string {
  if (v === null) return '—';
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(1)}%`;
    case 'count':
      return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
    case 'currency':
      return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
    case 'multiple':
      return `${v.toFixed(2)}x`;
    case 'days':
      return v.toFixed(1);
    default:
      return v.toFixed(2);
  }
}

export function groupLabel(by: Dimension[], group: KpiGroup): string {
  return by
    .map((d) => {
      const v = group.key[d];
      if (d === 'version') return v === null || v === undefined ? 'v?' : `v${v}`;
      return v === null || v === undefined ? `(no ${d})` : String(v);
    })
    .join(' ');
}

export function waitingText(k: KpiStatus): string {
  return `waiting for ${(k.waitingFor ?? []).map((w) => w.record).join(' or ')}`;
}

export function renderKpiTable(report: KpiReport): string {
  if (report.groups.length === 0) return 'no tracking records in this scope';
  const header = ['KPI', ...report.groups.map((g) => groupLabel(report.by, g))];
  const rows = report.kpis.map((k) => [
    k.name,
    ...report.groups.map((g) => (k.status === 'waiting' ? waitingText(k) : formatValue(k.unit, g.values[k.id]))),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const csvCell = (v: string | number | null | undefined) => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per group and KPI: the dimensions, then kpi, unit, status, value (empty when none), waiting_for. */
export function renderKpiCsv(report: KpiReport): string {
  const header = [...report.by, 'kpi', 'unit', 'status', 'value', 'waiting_for'];
  const lines = [header.join(',')];
  for (const g of report.groups)
    for (const k of report.kpis)
      lines.push(
        [...report.by.map((d) => g.key[d]), k.id, k.unit, k.status, g.values[k.id], (k.waitingFor ?? []).map((w) => w.record).join(' ')]
          .map(csvCell)
          .join(','),
      );
  return `${lines.join('\n')}\n`;
}
