// An experiment's results over the tracking logs: each arm's and control's customers (every customer assigned, asked
// or not: intent to treat), their rates on every funnel step, and each arm's lift over control on the primary
// metric with its 95 % interval (Newcombe's hybrid score interval for a rate, a seeded percentile bootstrap for a
// revenue), or why it is too small to call. The primary metric is the declared KPI's own formula, counted per arm
// (definitions/experiments/metric.ts); the arm of a customer is read from their experiment.assigned records, and
// only records from their first assignment on count. `journey report` and GET /v1/reports/experiments/{id} call this.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Experiment } from '../../definitions/generated/journey.ts';
import { metricShape, type KpiFormula } from '../../definitions/experiments/metric.ts';
import { defineTrackingView, sqlString, trackingLogFiles } from '../engine/tracking-view.ts';
import { meanLift, rateLift, type MeanLift, type RateLift } from './stats.ts';

/** The funnel steps every arm is counted on: customers with at least one such record / customers in the arm. */
export const EXPERIMENT_FUNNEL = [
  { step: 'qualified', type: 'qualified' },
  { step: 'asked', type: 'ask.sent' },
  { step: 'held out', type: 'experiment.held_out' },
  { step: 'acted', type: 'action.taken' },
  { step: 'referred', type: 'referral.submitted' },
  { step: 'won', type: 'referral.closed_won' },
  { step: 'rewarded', type: 'reward.issued' },
] as const;

export const METHODS = {
  population: 'intent to treat: every customer assigned counts in their arm (or control) whether or not an ask went out',
  rate: "difference of two proportions with Newcombe's hybrid score interval (method 10, Newcombe 1998), 95 %",
  revenue: 'difference of mean revenue per customer (zeros included) with a percentile bootstrap, 2000 resamples, seed 1, 95 %',
};

export interface ArmResult {
  arm: string;
  control: boolean;
  /** The declared share (control: the holdout). */
  weight: number;
  customers: number;
  funnel: Array<{ step: string; customers: number; rate: number | null }>;
  /** The primary metric in this group: x of n for a rate, the mean per customer for a revenue. */
  primary: { value: number | null; x?: number; n?: number };
  /** Over control, on the primary metric (absent for control itself). */
  lift?: ({ kind: 'rate' } & RateLift) | ({ kind: 'revenue' } & MeanLift);
}

export interface ExperimentReport {
  experiment: Experiment & { journeyId: string; journeyVersions: number[] };
  primaryMetric: { id: string; kind: 'rate' | 'revenue'; method: string };
  methods: typeof METHODS;
  arms: ArmResult[];
  /** One line per arm a reader can act on. */
  verdicts: string[];
  sources: { files: string[] };
}

export interface ExperimentScope {
  journeyId: string;
  journeyVersions: number[];
  experiment: Experiment;
}

export async function runExperimentReport(dataDir: string, scope: ExperimentScope, kpis: KpiFormula[]): Promise<ExperimentReport> {
  const x = scope.experiment;
  const kpi = kpis.find((k) => k.id === x.primaryMetric);
  if (!kpi) throw new Error(`experiment ${x.id}: its primary metric ${x.primaryMetric} is not a declared KPI`);
  const shape = metricShape(kpi);
  if (shape.kind === 'unusable') throw new Error(`experiment ${x.id}: its primary metric ${kpi.id} cannot compare arms: ${shape.why}`);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const { files } = await defineTrackingView(conn, dataDir);
    await defineAssignments(conn, await trackingLogFiles(dataDir), scope);
    const groups = [{ arm: 'control', weight: x.holdout }, ...x.arms.map((a) => ({ arm: a.id, weight: a.weight }))];
    const funnel = await funnelCounts(conn);
    const primary =
      shape.kind === 'rate' ? await rateCounts(conn, shape.numerator, shape.denominator) : await revenues(conn, shape.perCustomer);
    const control = primary.get('control');
    const arms: ArmResult[] = groups.map(({ arm, weight }) => {
      const counts = funnel.get(arm) ?? { customers: 0, steps: {} };
      const mine = primary.get(arm);
      const result: ArmResult = {
        arm,
        control: arm === 'control',
        weight,
        customers: counts.customers,
        funnel: EXPERIMENT_FUNNEL.map(({ step }) => {
          const n = counts.steps[step] ?? 0;
          return { step, customers: n, rate: counts.customers ? n / counts.customers : null };
        }),
        primary: primaryValue(mine),
      };
      if (arm !== 'control') result.lift = liftOver(mine, control);
      return result;
    });
    return {
      experiment: { ...x, journeyId: scope.journeyId, journeyVersions: scope.journeyVersions },
      primaryMetric: { id: kpi.id, kind: shape.kind, method: shape.kind === 'rate' ? METHODS.rate : METHODS.revenue },
      methods: METHODS,
      arms,
      verdicts: arms.filter((a) => !a.control).map((a) => verdict(a, shape.kind)),
      sources: { files },
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

type Primary = { kind: 'rate'; x: number; n: number } | { kind: 'revenue'; values: number[] };

function primaryValue(p: Primary | undefined): ArmResult['primary'] {
  if (!p) return { value: null };
  if (p.kind === 'rate') return { value: p.n ? p.x / p.n : null, x: p.x, n: p.n };
  return { value: p.values.length ? p.values.reduce((s, v) => s + v, 0) / p.values.length : null };
}

function liftOver(arm: Primary | undefined, control: Primary | undefined): ArmResult['lift'] {
  if (arm?.kind === 'revenue' || control?.kind === 'revenue')
    return { kind: 'revenue', ...meanLift(arm?.kind === 'revenue' ? arm.values : [], control?.kind === 'revenue' ? control.values : []) };
  return { kind: 'rate', ...rateLift(arm?.x ?? 0, arm?.n ?? 0, control?.x ?? 0, control?.n ?? 0) };
}

function verdict(a: ArmResult, kind: 'rate' | 'revenue'): string {
  const l = a.lift!;
  const fmt = (v: number) => (kind === 'rate' ? `${(v * 100).toFixed(1)} pp` : v.toFixed(2));
  const interval = `95 % interval ${fmt(l.interval.low)} to ${fmt(l.interval.high)}`;
  if (l.tooSmall) return `${a.arm}: ${l.tooSmall}; so far ${fmt(l.difference)} over control (${interval})`;
  if (!l.significant) return `${a.arm}: no difference from control shown: ${fmt(l.difference)} (${interval} includes 0)`;
  return `${a.arm}: ${l.difference > 0 ? 'better' : 'worse'} than control by ${fmt(l.difference)} (${interval})`;
}

/** assigned(a_journey, a_customer, arm, assigned_at): each customer's arm (sticky: the first) in this experiment. */
async function defineAssignments(conn: DuckDBConnection, files: string[], scope: ExperimentScope): Promise<void> {
  if (files.length === 0) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE assigned (a_journey VARCHAR, a_customer VARCHAR, arm VARCHAR, assigned_at TIMESTAMPTZ)`);
    return;
  }
  const source = `read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', ignore_errors = true, maximum_object_size = 16777216,
        columns = {'type': 'VARCHAR', 'journeyId': 'VARCHAR', 'customerId': 'VARCHAR', 'at': 'VARCHAR', 'data': 'STRUCT(experiment VARCHAR, arm VARCHAR)'})`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE assigned AS
    SELECT journeyId AS a_journey, customerId AS a_customer, arg_min(data.arm, try_cast("at" AS TIMESTAMPTZ)) AS arm,
      min(try_cast("at" AS TIMESTAMPTZ)) AS assigned_at
    FROM ${source}
    WHERE type = 'experiment.assigned' AND journeyId = ${sqlString(scope.journeyId)} AND data.experiment = ${sqlString(scope.experiment.id)}
    GROUP BY ALL`);
}

const JOINED = `assigned a LEFT JOIN tracking t ON t.journey_id = a.a_journey AND t.advocate_id = a.a_customer AND t.occurred_at >= a.assigned_at`;

async function funnelCounts(conn: DuckDBConnection): Promise<Map<string, { customers: number; steps: Record<string, number> }>> {
  const steps = EXPERIMENT_FUNNEL.map((s, i) => `count(DISTINCT a.a_customer) FILTER (WHERE t.type = ${sqlString(s.type)}) AS s${i}`);
  const rows = (
    await conn.runAndReadAll(`SELECT a.arm, count(DISTINCT a.a_customer) AS customers, ${steps.join(', ')} FROM ${JOINED} GROUP BY a.arm`)
  ).getRowObjectsJS();
  return new Map(
    rows.map((r) => [
      String(r.arm),
      {
        customers: Number(r.customers),
        steps: Object.fromEntries(EXPERIMENT_FUNNEL.map((s, i) => [s.step, Number(r[`s${i}`])])),
      },
    ]),
  );
}

async function rateCounts(conn: DuckDBConnection, numerator: string, denominator: string): Promise<Map<string, Primary>> {
  // The KPI's own conditions, over the view's columns (qualified by t: the assignment table's names never clash).
  const rows = (
    await conn.runAndReadAll(`SELECT a.arm,
      count(DISTINCT advocate_id) FILTER (WHERE ${numerator}) AS x,
      count(DISTINCT advocate_id) FILTER (WHERE ${denominator}) AS n
    FROM ${JOINED} GROUP BY a.arm`)
  ).getRowObjectsJS();
  return new Map(rows.map((r) => [String(r.arm), { kind: 'rate', x: Number(r.x), n: Number(r.n) }]));
}

async function revenues(conn: DuckDBConnection, perCustomer: string): Promise<Map<string, Primary>> {
  const rows = (
    await conn.runAndReadAll(`SELECT a.arm, a.a_customer, ${perCustomer} AS v FROM ${JOINED} GROUP BY a.arm, a.a_customer`)
  ).getRowObjectsJS();
  const byArm = new Map<string, Primary>();
  for (const r of rows) {
    const arm = String(r.arm);
    const entry = byArm.get(arm) ?? { kind: 'revenue', values: [] };
    if (entry.kind === 'revenue') entry.values.push(Number(r.v ?? 0));
    byArm.set(arm, entry);
  }
  return byArm;
}

/** The experiment with this id among compiled plans (the newest version declaring it), with every version that does. */
export function findExperiment(
  plans: Array<{ journeyId: string; version: number; definition: { experiment?: Experiment } }>,
  id: string,
): ExperimentScope | undefined {
  const declaring = plans.filter((p) => p.definition.experiment?.id === id).sort((a, b) => b.version - a.version);
  if (declaring.length === 0) return undefined;
  return {
    journeyId: declaring[0].journeyId,
    journeyVersions: [...new Set(declaring.map((p) => p.version))].sort((a, b) => a - b),
    experiment: declaring[0].definition.experiment!,
  };
}
