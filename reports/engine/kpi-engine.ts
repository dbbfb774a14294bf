// The KPI report: every declared KPI (definitions/kpis/) computed by DuckDB in ONE grouped query over the
// `tracking` view, per the dimensions asked for, within the filters. The CLI (table, JSON, CSV, HTML) and
// GET /v1/reports/kpis all call runKpiReport, so they can never disagree.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { KpiDefinition } from '../../definitions/kpi-definitions.ts';
import { TRACKING_RECORD_TYPES } from '../../definitions/kpi-definitions.ts';
import { compileKpis } from './kpi-compile.ts';
import { defineTrackingView } from './tracking-view.ts';

/** What a report can be broken down by; day/week/month are the period of each record's fact time (UTC). */
export const DIMENSIONS = {
  journey: 'journey_id',
  version: 'journey_version',
  motion: 'motion',
  segment: 'segment',
  variant: 'variant',
  day: `CAST(date_trunc('day', occurred_at) AS DATE)`,
  week: `CAST(date_trunc('week', occurred_at) AS DATE)`,
  month: `CAST(date_trunc('month', occurred_at) AS DATE)`,
  cohort: 'cohort_week',
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DEFAULT_DIMENSIONS: Dimension[] = ['journey', 'version'];

export interface KpiFilters {
  journeyId?: string;
  journeyVersion?: number;
  motion?: string;
  segment?: string;
  variant?: string;
  /** First-ask week (a Monday, YYYY-MM-DD). */
  cohort?: string;
  /** Inclusive, ISO. */
  from?: string;
  /** Exclusive, ISO. */
  to?: string;
}

export interface KpiQuery extends KpiFilters {
  by?: Dimension[];
  /** Only these KPI ids (default: all). */
  kpis?: string[];
}

export interface KpiStatus {
  id: string;
  name: string;
  description: string;
  section: NonNullable<KpiDefinition['section']>;
  unit: KpiDefinition['unit'];
  seed: KpiDefinition['seed'];
  /** ok: computed; waiting: a record type it needs has not appeared in this scope, so there is no number yet. */
  status: 'ok' | 'waiting';
  /** With waiting: each missing record type, and what writes it (or what would). */
  waitingFor?: { record: string; writtenBy: string | null; waitsFor?: string }[];
}

export interface KpiGroup {
  /** The group's value of each dimension asked for (dates as YYYY-MM-DD). */
  key: Partial<Record<Dimension, string | number | null>>;
  /** KPI id → value; null: no data for it in this group (a denominator of 0) or the KPI is waiting. */
  values: Record<string, number | null>;
}

export interface KpiReport {
  by: Dimension[];
  filters: KpiFilters;
  kpis: KpiStatus[];
  groups: KpiGroup[];
  /** The logs read and the distinct records in scope. */
  sources: { files: string[]; records: number };
}

const FILTER_COLUMNS: [keyof KpiFilters, string][] = [
  ['journeyId', 'journey_id'],
  ['journeyVersion', 'journey_version'],
  ['motion', 'motion'],
  ['segment', 'segment'],
  ['variant', 'variant'],
  ['cohort', 'cohort_week'],
];

function whereClause(filters: KpiFilters): { sql: string; params: DuckDBValue[] } {
  const parts: string[] = [];
  const params: DuckDBValue[] = [];
  for (const [field, column] of FILTER_COLUMNS) {
    const value = filters[field];
    if (value === undefined) continue;
    params.push(field === 'cohort' ? String(value) : value);
    parts.push(field === 'cohort' ? `${column} = CAST($${params.length} AS DATE)` : `${column} = $${params.length}`);
  }
  if (filters.from) {
    params.push(filters.from);
    parts.push(`occurred_at >= CAST($${params.length} AS TIMESTAMPTZ)`);
  }
  if (filters.to) {
    params.push(filters.to);
    parts.push(`occurred_at < CAST($${params.length} AS TIMESTAMPTZ)`);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function plain(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  return String(value); // DATE → YYYY-MM-DD
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(typeof value === 'bigint' ? value : String(value));
  return Number.isFinite(n) ? n : null;
}

/** Which of a KPI's needs are missing from the record types present (an inner list is satisfied by any one). */
function missingNeeds(kpi: KpiDefinition, present: Set<string>): string[] {
  return kpi.needs.flatMap((need) => {
    const options = Array.isArray(need) ? need : [need];
    return options.some((t) => present.has(t)) ? [] : options;
  });
}

export interface KpiEngineOptions {
  /** KPI definitions; default: the shipped folder, compiled (schema + formulas). */
  definitions?: KpiDefinition[];
}

/** Runs the report over the tracking logs of a data folder. */
export async function runKpiReport(dataDir: string, query: KpiQuery = {}, options: KpiEngineOptions = {}): Promise<KpiReport> {
  const all = options.definitions ?? (await compileKpis());
  const chosen = query.kpis ? all.filter((k) => query.kpis!.includes(k.id)) : all;
  const by = query.by?.length ? query.by : DEFAULT_DIMENSIONS;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    const { files } = await defineTrackingView(conn, dataDir);
    const { sql: where, params } = whereClause(query);
    const rows = await grouped(conn, chosen, by, where, params);
    const present = new Set<string>();
    let records = 0;
    for (const row of rows) {
      for (const t of row.types) present.add(t);
      records += row.records;
    }
    const kpis: KpiStatus[] = chosen.map((k) => {
      const missing = missingNeeds(k, present);
      return {
        id: k.id,
        name: k.name,
        description: k.description,
        section: k.section ?? 'referrals',
        unit: k.unit,
        seed: k.seed,
        status: missing.length ? 'waiting' : 'ok',
        ...(missing.length
          ? { waitingFor: missing.map((record) => ({ record, ...(TRACKING_RECORD_TYPES[record] ?? { writtenBy: null }) })) }
          : {}),
      };
    });
    const waiting = new Set(kpis.filter((k) => k.status === 'waiting').map((k) => k.id));
    const groups = rows.map((row) => ({
      key: row.key,
      values: Object.fromEntries(chosen.map((k) => [k.id, waiting.has(k.id) ? null : row.values[k.id]])),
    }));
    return { by, filters: filtersOf(query), kpis, groups, sources: { files, records } };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function filtersOf(query: KpiQuery): KpiFilters {
  const { by: _by, kpis: _kpis, ...filters } = query;
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as KpiFilters;
}

async function grouped(conn: DuckDBConnection, kpis: KpiDefinition[], by: Dimension[], where: string, params: DuckDBValue[]) {
  const dims = by.map((d, i) => `${DIMENSIONS[d]} AS d${i}`);
  const values = kpis.map((k, i) => `(${k.formula}) AS k${i}`);
  const sql = `SELECT ${[...dims, 'list(DISTINCT type) AS types', 'count(*) AS records', ...values].join(',\n  ')}
FROM tracking ${where}
GROUP BY ${by.map((_, i) => `d${i}`).join(', ')}
ORDER BY ${by.map((_, i) => `d${i} NULLS LAST`).join(', ')}`;
  const result = await conn.runAndReadAll(sql, params);
  return result.getRowObjects().map((row) => ({
    key: Object.fromEntries(by.map((d, i) => [d, plain(row[`d${i}`])])) as KpiGroup['key'],
    types: ((row.types as { items?: unknown[] } | null)?.items ?? []).map(String),
    records: Number(row.records),
    values: Object.fromEntries(kpis.map((k, i) => [k.id, toNumber(row[`k${i}`])])),
  }));
}
