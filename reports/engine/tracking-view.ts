// The one `tracking` view every KPI formula reads (documented column by column in docs/kpis.md). DuckDB reads
// every *.ndjson file of the tracking folder in place (one log per worker process or host, written by
// activities/tracking/), skips torn lines, and keeps one row per idempotency key however many files or retries
// repeated it. Robust to what the writers add later: unknown top-level fields are ignored, unknown record types
// are rows like any other. `data` fields are read by name (DATA_FIELDS): a new one is one line there and one column.
import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The columns of the view, in order, with their SQL types: the contract KPI formulas are checked against. */
export const TRACKING_COLUMNS = {
  record_key: 'VARCHAR',
  occurred_at: 'TIMESTAMPTZ',
  journey_id: 'VARCHAR',
  journey_version: 'INTEGER',
  customer_id: 'VARCHAR',
  advocate_id: 'VARCHAR',
  stage: 'VARCHAR',
  type: 'VARCHAR',
  motion: 'VARCHAR',
  segment: 'VARCHAR',
  variant: 'VARCHAR',
  cycle: 'INTEGER',
  referral_id: 'VARCHAR',
  referral_key: 'VARCHAR',
  amount: 'DOUBLE',
  revenue: 'DOUBLE',
  arr: 'DOUBLE',
  nps: 'DOUBLE',
  level: 'VARCHAR',
  channel: 'VARCHAR',
  role: 'VARCHAR',
  event_type: 'VARCHAR',
  reason: 'VARCHAR',
  personalized: 'BOOLEAN',
  referral_intent: 'BOOLEAN',
  first_ask_at: 'TIMESTAMPTZ',
  first_referral_at: 'TIMESTAMPTZ',
  first_action_cycle: 'INTEGER',
  last_nps: 'DOUBLE',
  cohort_week: 'DATE',
  referral_clicked_at: 'TIMESTAMPTZ',
  referral_submitted_at: 'TIMESTAMPTZ',
  referral_opportunity_at: 'TIMESTAMPTZ',
  referral_won_at: 'TIMESTAMPTZ',
  source_file: 'VARCHAR',
} as const;
export type TrackingColumn = keyof typeof TRACKING_COLUMNS;

/**
 * The fields of `data` the view reads, parsed straight into a struct (one JSON parse per line, the cost that
 * dominates a report). Read as text and cast with try_cast below, so a writer's odd value is a NULL, never a lost
 * line. A field not listed here is not read; adding one is adding it here and to docs/kpis.md.
 */
const DATA_FIELDS = [
  'key',
  'cycle',
  'motion',
  'segment',
  'variant',
  'referralId',
  'referrerId',
  'amount',
  'revenue',
  'arr',
  'nps',
  'level',
  'channel',
  'role',
  'eventType',
  'reason',
  'personalized',
  'referralIntent',
];
const DATA_STRUCT = `STRUCT(${DATA_FIELDS.map((f) => `"${f}" VARCHAR`).join(', ')})`;

/** Top-level fields read from each line. `occurredAt` (a fact time a writer may add) wins over `at`. */
const LINE_FIELDS = [
  'key',
  'at',
  'occurredAt',
  'journeyId',
  'journeyVersion',
  'customerId',
  'stage',
  'motion',
  'type',
  'segment',
  'variant',
  'cycle',
];
const LINE_COLUMNS = `{${LINE_FIELDS.map((f) => `'${f}': 'VARCHAR'`).join(', ')}, 'data': '${DATA_STRUCT}'}`;

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The NDJSON logs under the tracking folder of a data folder, sorted; [] when there is none yet. */
export async function trackingLogFiles(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'tracking');
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.ndjson'))
      .map((e) => join(dir, e.name))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The lines of the logs as rows; with no log yet, an empty relation of the same shape. */
export function linesSource(files: string[]): string {
  if (files.length === 0) {
    const cols = LINE_FIELDS.map((c) => `NULL::VARCHAR AS "${c}"`).join(', ');
    return `(SELECT ${cols}, NULL::${DATA_STRUCT} AS data, NULL::VARCHAR AS filename WHERE false)`;
  }
  // ignore_errors: a torn last line (a crash mid-append) becomes a row of NULLs, dropped below; the rest still counts.
  return `read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', ignore_errors = true, filename = true,
    maximum_object_size = 16777216, columns = ${LINE_COLUMNS})`;
}

/**
 * The typed row of each log line (torn and record-less lines dropped): what the incremental store keeps
 * (reports/engine/tracking-store.ts) and what the in-place read deduplicates. `source` yields the raw line columns
 * (LINE_COLUMNS) and `filename`.
 */
export function lineRowsSql(source: string): string {
  return `SELECT
    coalesce(key, data.key, 'h:' || md5(concat_ws('|', journeyId, journeyVersion, customerId, stage, type, "at", motion, data::VARCHAR))) AS record_key,
    coalesce(try_cast(occurredAt AS TIMESTAMPTZ), try_cast("at" AS TIMESTAMPTZ)) AS occurred_at,
    journeyId AS journey_id,
    try_cast(journeyVersion AS INTEGER) AS journey_version,
    customerId AS customer_id,
    stage, type,
    coalesce(motion, data.motion) AS motion,
    coalesce(segment, data.segment) AS segment,
    coalesce(variant, data.variant) AS variant,
    coalesce(try_cast(cycle AS INTEGER), try_cast(data.cycle AS INTEGER),
      try_cast(regexp_extract(coalesce(key, data.key), ':(\\d+):[^:]+:\\d+$', 1) AS INTEGER)) AS cycle,
    data.referralId AS referral_id,
    try_cast(data.amount AS DOUBLE) AS amount,
    try_cast(data.revenue AS DOUBLE) AS revenue,
    try_cast(data.arr AS DOUBLE) AS arr,
    try_cast(data.nps AS DOUBLE) AS nps,
    data.level AS level, data.channel AS channel, data.role AS role, data.eventType AS event_type, data.reason AS reason,
    try_cast(data.personalized AS BOOLEAN) AS personalized,
    try_cast(data.referralIntent AS BOOLEAN) AS referral_intent,
    coalesce(data.referrerId, customerId) AS credited,
    filename AS source_file
  FROM ${source}
  WHERE type IS NOT NULL AND customerId IS NOT NULL AND coalesce(try_cast(occurredAt AS TIMESTAMPTZ), try_cast("at" AS TIMESTAMPTZ)) IS NOT NULL`;
}

/** Keeps one row per record key of a query of line rows (the first by source file). */
export function dedupedSql(linesQuery: string): string {
  return `WITH lines AS (${linesQuery}),
dup_keys AS (
  -- Repeated keys are rare (a retried append, the same record in two processes' files): find them on the key alone,
  -- then keep one row of each, instead of regrouping every column of every row.
  SELECT record_key FROM lines GROUP BY record_key HAVING count(*) > 1
)
SELECT * FROM lines ANTI JOIN dup_keys USING (record_key)
UNION ALL
SELECT * FROM (SELECT * FROM lines SEMI JOIN dup_keys USING (record_key))
QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY source_file) = 1`;
}

/**
 * The view over a relation of distinct records (one row per key, the columns of lineRowsSql): `owners` /
 * `submissions` (each referral's advocate, journey and submission time, also for records that name only the
 * referral, e.g. a backend's lead.qualified) → the view (per-customer and per-referral facts every formula may
 * need: first ask, cohort, first referral).
 */
export function trackingOverRecordsSql(records: string): string {
  return `CREATE OR REPLACE TEMP VIEW tracking AS ${derivedRowsSql(records, `(${ownersSql('records')})`)}`;
}

/**
 * The advocate and journey of each referral (its first submission), for records that name only the referral.
 * `records` is a relation of distinct line rows; with `referralIds`, only those referrals.
 */
export function ownersSql(records: string, referralIds?: string): string {
  return `SELECT referral_id, arg_min(journey_id, occurred_at) AS o_journey_id, arg_min(journey_version, occurred_at) AS o_journey_version,
    arg_min(customer_id, occurred_at) AS o_advocate_id
  FROM ${records} WHERE type = 'referral.submitted' AND referral_id IS NOT NULL${referralIds ? ` AND referral_id IN (${referralIds})` : ''}
  GROUP BY referral_id`;
}

/**
 * The rows of the view for a relation of distinct line rows, given each referral's owner (ownersSql). Every derived
 * column is a fact of one advocate (their journey's first ask, last NPS...) or of one of their referrals, so the rows
 * of a set of advocates can be computed from those advocates' records alone: the incremental store
 * (tracking-store.ts) recomputes only the advocates a new batch of records touched.
 */
export function derivedRowsSql(records: string, owners: string): string {
  return `WITH records AS (SELECT * FROM ${records}),
owners AS (SELECT * FROM ${owners}),
owned AS (
  SELECT r.* EXCLUDE (journey_id, journey_version, credited),
    coalesce(r.journey_id, o.o_journey_id) AS journey_id,
    coalesce(r.journey_version, o.o_journey_version) AS journey_version,
    CASE WHEN r.journey_id IS NULL AND o.o_advocate_id IS NOT NULL THEN o.o_advocate_id ELSE r.credited END AS advocate_id
  FROM records r LEFT JOIN owners o USING (referral_id)
),
referral_facts AS (
  -- A referral is (journey, advocate, referralId): two advocates may reuse an id. Its milestones, for durations.
  SELECT referral_id, journey_id, advocate_id,
    min(occurred_at) FILTER (WHERE type = 'referral.link_clicked') AS referral_clicked_at,
    min(occurred_at) FILTER (WHERE type = 'referral.submitted') AS referral_submitted_at,
    min(occurred_at) FILTER (WHERE type = 'referral.opportunity') AS referral_opportunity_at,
    min(occurred_at) FILTER (WHERE type = 'referral.closed_won') AS referral_won_at
  FROM owned WHERE referral_id IS NOT NULL
  GROUP BY ALL
),
customer_facts AS (
  -- Per advocate and journey: what formulas compare each record with (first ask, first referral, first acting cycle).
  SELECT journey_id, advocate_id,
    min(occurred_at) FILTER (WHERE type = 'ask.sent') AS first_ask_at,
    min(occurred_at) FILTER (WHERE type = 'referral.submitted') AS first_referral_any_at,
    min(cycle) FILTER (WHERE type = 'action.taken') AS first_action_cycle,
    arg_max(nps, occurred_at) FILTER (WHERE nps IS NOT NULL) AS last_nps,
    arg_max(segment, occurred_at) FILTER (WHERE segment IS NOT NULL) AS customer_segment,
    arg_min(variant, occurred_at) FILTER (WHERE variant IS NOT NULL) AS first_variant,
    -- A record the API wrote from a referral code names the journey, not its version: the advocate's run's version.
    arg_max(journey_version, occurred_at) FILTER (WHERE journey_version IS NOT NULL) AS run_version
  FROM owned
  GROUP BY ALL
),
per_customer AS (
  SELECT w.*, f.referral_clicked_at, f.referral_submitted_at, f.referral_opportunity_at, f.referral_won_at,
    c.first_ask_at, c.first_referral_any_at, c.first_action_cycle, c.last_nps, c.customer_segment, c.first_variant, c.run_version
  FROM owned w
  LEFT JOIN referral_facts f USING (referral_id, journey_id, advocate_id)
  LEFT JOIN customer_facts c ON c.journey_id IS NOT DISTINCT FROM w.journey_id AND c.advocate_id = w.advocate_id
)
SELECT
  record_key, occurred_at, journey_id, coalesce(journey_version, run_version) AS journey_version, customer_id, advocate_id, stage, type, motion,
  coalesce(customer_segment, segment) AS segment,
  coalesce(variant, first_variant) AS variant,
  cycle, referral_id,
  CASE WHEN referral_id IS NOT NULL THEN concat_ws('/', journey_id, advocate_id, referral_id) END AS referral_key,
  amount, revenue, arr, nps, level, channel, role, event_type, reason, personalized, referral_intent,
  first_ask_at,
  CASE WHEN first_referral_any_at >= first_ask_at THEN first_referral_any_at END AS first_referral_at,
  first_action_cycle, last_nps,
  CAST(date_trunc('week', first_ask_at) AS DATE) AS cohort_week,
  referral_clicked_at, referral_submitted_at, referral_opportunity_at, referral_won_at,
  source_file
FROM per_customer`;
}

/** The view's SQL over the logs read in place (no store): every line parsed on every report. */
export function trackingViewSql(files: string[]): string {
  return trackingOverRecordsSql(`(${dedupedSql(lineRowsSql(linesSource(files)))})`);
}

/** (Re)defines the `tracking` view on a connection over the logs of a data folder. */
export async function defineTrackingView(conn: DuckDBConnection, dataDir: string): Promise<{ files: string[] }> {
  const files = await trackingLogFiles(dataDir);
  await conn.run(trackingViewSql(files));
  return { files };
}
