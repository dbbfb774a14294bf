// The KPI report: every declared KPI (definitions/kpis/) computed by DuckDB over the `tracking` view, per the
// dimensions asked for, within the filters: from the KPI store (tracking-store.ts), through a rollup of the formulas'
// aggregates where they decompose (kpi-rollup.ts), else in one grouped query over the view. The CLI (table, JSON,
// CSV, HTML) and GET /v1/reports/kpis all call runKpiReport, so they can never disagree.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { KpiDefinition } from '../../definitions/kpi-definitions.ts';
import { TRACKING_RECORD_TYPES } from '../../definitions/kpi-definitions.ts';
import { compileKpis } from './kpi-compile.ts';
import { defineTrackingView } from './tracking-view.ts';
import { withTrackingStore, type IngestSummary } from './tracking-store.ts';
import { currentRollup, level2Columns, planRollup, type RollupPlan } from './kpi-rollup.ts';
import { cachedRows } from './report-cache.ts';

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
  /** The logs read and the distinct records in scope; with the store, what this report ingested. */
  sources: { files: string[]; records: number; store?: IngestSummary };
}

/** Each filter and the dimension it restricts. */
const FILTER_DIMENSIONS: [keyof KpiFilters, Dimension][] = [
  ['journeyId', 'journey'],
  ['journeyVersion', 'version'],
  ['motion', 'motion'],
  ['segment', 'segment'],
  ['variant', 'variant'],
  ['cohort', 'cohort'],
];

/** The filters as a WHERE clause; `column` names where each dimension's value is (the view, or a rollup's key). */
function whereClause(filters: KpiFilters, column: (d: Dimension) => string = (d) => DIMENSIONS[d]): { sql: string; params: DuckDBValue[] } {
  const parts: string[] = [];
  const params: DuckDBValue[] = [];
  for (const [field, dimension] of FILTER_DIMENSIONS) {
    const value = filters[field];
    if (value === undefined) continue;
    params.push(field === 'cohort' ? String(value) : value);
    parts.push(field === 'cohort' ? `${column(dimension)} = CAST($${params.length} AS DATE)` : `${column(dimension)} = $${params.length}`);
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
  /** false: parse the logs in place instead of using the store (the store's own check, and the bench's). */
  store?: boolean;
}

/** Runs the report over the tracking logs of a data folder (through the KPI store; in place when it cannot be used). */
export async function runKpiReport(dataDir: string, query: KpiQuery = {}, options: KpiEngineOptions = {}): Promise<KpiReport> {
  const all = options.definitions ?? (await compileKpis());
  const chosen = query.kpis ? all.filter((k) => query.kpis!.includes(k.id)) : all;
  const by = query.by?.length ? query.by : DEFAULT_DIMENSIONS;
  let computed: { rows: GroupRow[]; files: string[]; store?: IngestSummary };
  try {
    if (options.store === false) throw new StoreNotWanted();
    computed = await withTrackingStore(dataDir, async ({ conn, ingest }) => {
      await conn.run(`CREATE OR REPLACE TEMP VIEW tracking AS SELECT * EXCLUDE (adv_hash, seq) FROM tracking_rows`);
      return { rows: await storeRows(conn, all, chosen, by, query, ingest.seq), files: ingest.files, store: ingest };
    });
  } catch (err) {
    if (!storeUnavailable(err)) throw err;
    computed = await inPlaceRows(dataDir, chosen, by, query);
  }
  const { rows, files, store } = computed;
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
  return { by, filters: filtersOf(query), kpis, groups, sources: { files, records, ...(store ? { store } : {}) } };
}

/** A data folder the report may not write to (or a store another process holds too long): read the logs in place. */
class StoreNotWanted extends Error {}

function storeUnavailable(err: unknown): boolean {
  if (err instanceof StoreNotWanted) return true;
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || /lock|read-only|permission denied/i.test((err as Error).message);
}

async function inPlaceRows(dataDir: string, kpis: KpiDefinition[], by: Dimension[], query: KpiQuery) {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    const { files } = await defineTrackingView(conn, dataDir);
    const { sql: where, params } = whereClause(query);
    return { rows: await grouped(conn, kpis, by, where, params), files };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const plans = new Map<string, Promise<RollupPlan>>();

/** The rows of the report from the store: rollup for what decomposes (without a time window), the view for the rest. */
async function storeRows(
  conn: DuckDBConnection,
  all: KpiDefinition[],
  chosen: KpiDefinition[],
  by: Dimension[],
  query: KpiQuery,
  seq: number,
) {
  const planKey = all.map((k) => k.formula).join('\n');
  if (!plans.has(planKey)) plans.set(planKey, planRollup(conn, all));
  const plan = await plans.get(planKey)!;
  const windowed = query.from !== undefined || query.to !== undefined;
  const viaRollup = windowed ? [] : chosen.filter((k) => plan.formulas.has(k.id));
  const direct = chosen.filter((k) => !viaRollup.includes(k));
  const rows: GroupRow[] = [];
  if (viaRollup.length || direct.length === 0) {
    const keys = [...new Set([...by, ...FILTER_DIMENSIONS.filter(([f]) => query[f] !== undefined).map(([, d]) => d)])];
    const table = await currentRollup(
      conn,
      plan,
      keys.map((d) => [d, DIMENSIONS[d]]),
      seq,
    );
    const { sql: where, params } = whereClause(query, (d) => `"k_${d}"`);
    const used = new Set(viaRollup.flatMap((k) => [...plan.formulas.get(k.id)!.matchAll(/__p(\d+)\b/g)].map((m) => Number(m[1]))));
    const parts = level2Columns(plan).filter((_, i) => used.has(i));
    const sql = `WITH l2 AS (
  SELECT ${[...by.map((d, i) => `"k_${d}" AS d${i}`), 'list_distinct(flatten(list_transform(list(DISTINCT types), (s) -> string_split(s, chr(31))))) AS types', 'sum(n) AS records', ...parts].join(',\n  ')}
  FROM ${table} ${where}
  GROUP BY ${by.map((_, i) => `d${i}`).join(', ')}
)
SELECT ${[...by.map((_, i) => `d${i}`), 'types', 'records', ...viaRollup.map((k, i) => `(${plan.formulas.get(k.id)}) AS k${i}`)].join(', ')}
FROM l2 ORDER BY ${by.map((_, i) => `d${i} NULLS LAST`).join(', ')}`;
    rows.push(
      ...(await cachedRows(conn, seq, `${table}\n${sql}`, params, async () =>
        readGroups(await conn.runAndReadAll(sql, params), viaRollup, by),
      )),
    );
  }
  if (direct.length) {
    const { sql: where, params } = whereClause(query);
    const more = await grouped(conn, direct, by, where, params);
    if (rows.length === 0 && viaRollup.length === 0) return more;
    const byKey = new Map(rows.map((r) => [JSON.stringify(r.key), r]));
    for (const r of more) {
      const same = byKey.get(JSON.stringify(r.key));
      if (same) Object.assign(same.values, r.values);
      else rows.push(r);
    }
  }
  return rows;
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
  return readGroups(await conn.runAndReadAll(sql, params), kpis, by);
}

interface GroupRow {
  key: KpiGroup['key'];
  types: string[];
  records: number;
  values: Record<string, number | null>;
}

function readGroups(result: { getRowObjects(): Record<string, unknown>[] }, kpis: KpiDefinition[], by: Dimension[]): GroupRow[] {
  return result.getRowObjects().map((row) => ({
    key: Object.fromEntries(by.map((d, i) => [d, plain(row[`d${i}`])])) as KpiGroup['key'],
    types: ((row.types as { items?: unknown[] } | null)?.items ?? []).map(String),
    records: Number(row.records),
    values: Object.fromEntries(kpis.map((k, i) => [k.id, toNumber(row[`k${i}`])])),
  }));
}
