// The report's filters and breakdown, read the same way from CLI options and API query strings, so a bad value is
// refused with the field named in both.
import { DIMENSIONS, type Dimension, type KpiFilters, type KpiQuery } from './engine/kpi-engine.ts';

/** The filters as a CLI option or query string gives them: the engine's text filters, the version as given, lists comma-separated. */
export type RawKpiQuery = Omit<KpiFilters, 'journeyVersion'> & {
  version?: string | number;
  /** Comma-separated dimensions. */
  by?: string;
  /** Comma-separated KPI ids. */
  kpi?: string;
};

export interface QueryProblem {
  field: string;
  message: string;
}

const iso = (value: string) => {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

export function parseKpiQuery(raw: RawKpiQuery, knownKpis: string[]): { query?: KpiQuery; problems: QueryProblem[] } {
  const problems: QueryProblem[] = [];
  const query: KpiQuery = {};
  for (const field of ['journeyId', 'motion', 'segment', 'variant'] as const) if (raw[field] !== undefined) query[field] = raw[field];
  if (raw.version !== undefined) {
    const v = Number(raw.version);
    if (Number.isInteger(v) && v >= 1) query.journeyVersion = v;
    else problems.push({ field: 'version', message: `must be a whole number from 1, got ${JSON.stringify(raw.version)}` });
  }
  for (const field of ['from', 'to'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    const at = iso(value);
    if (at) query[field] = at;
    else problems.push({ field, message: `must be a date or ISO time (e.g. 2026-01-01), got ${JSON.stringify(value)}` });
  }
  if (query.from && query.to && query.from >= query.to) problems.push({ field: 'to', message: `must be after from (${query.from})` });
  if (raw.cohort !== undefined) {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(raw.cohort) ? new Date(`${raw.cohort}T00:00:00Z`) : undefined;
    if (day && !Number.isNaN(day.getTime()) && day.getUTCDay() === 1) query.cohort = raw.cohort;
    else
      problems.push({
        field: 'cohort',
        message: `must be the Monday that starts a first-ask week (YYYY-MM-DD), got ${JSON.stringify(raw.cohort)}`,
      });
  }
  if (raw.by !== undefined) {
    const by = raw.by
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = by.filter((d) => !(d in DIMENSIONS));
    if (unknown.length)
      problems.push({
        field: 'by',
        message: `unknown dimension ${unknown.map((d) => `\`${d}\``).join(', ')}; one of ${Object.keys(DIMENSIONS).join(', ')}`,
      });
    else if (new Set(by).size !== by.length) problems.push({ field: 'by', message: 'a dimension is listed twice' });
    else if (by.filter((d) => d === 'day' || d === 'week' || d === 'month').length > 1)
      problems.push({ field: 'by', message: 'one period at a time: day, week or month' });
    else query.by = by as Dimension[];
  }
  if (raw.kpi !== undefined) {
    const ids = raw.kpi
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = ids.filter((id) => !knownKpis.includes(id));
    if (unknown.length)
      problems.push({ field: 'kpi', message: `unknown KPI ${unknown.map((d) => `\`${d}\``).join(', ')} (see definitions/kpis/)` });
    else query.kpis = ids;
  }
  return problems.length ? { problems } : { query, problems };
}
