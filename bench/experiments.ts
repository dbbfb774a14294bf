// Benchmark: the shipped sample experiment (milestone-review-ask v2: two wordings, 10 % control) on a bigger
// generated population than the test's, with a known true review rate per group, on the time-skipping server with
// the real activities; then
//   - the recovered-lift table (each arm's lift over control, its 95 % interval, whether the truth is inside),
//   - the experiment report's time (reports/experiments/report.ts, DuckDB over the tracking logs) against a raw
//     baseline (one JS pass over the same NDJSON lines counting the same numbers), the ratio printed,
//   - the interval's coverage over S simulated experiments of the same sizes and rates (pure: stats.ts alone).
// Bounded: N ≤ 5000 customers, S ≤ 20000 simulations. Runs are read while they live, then the server is stopped.
// Run: eval "$(bash scripts/obtain-temporal.sh test-server)" && node --import tsx bench/experiments.ts [N] [S]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/worker.ts';
import { createActivities } from '../activities/index.ts';
import { loadCatalog, loadJourneyDir } from '../definitions/loader.ts';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import {
  JOURNEY_WORKFLOW_TYPE,
  journeyEventSignal,
  journeyWorkflowId,
  type JourneyEvent,
  type JourneyRunInput,
} from '../workflows/contract/index.ts';
import { assignArm } from '../workflows/journey/experiment-assignment.ts';
import { findExperiment, runExperimentReport } from '../reports/experiments/report.ts';
import { renderExperimentTable } from '../reports/experiments/render.ts';
import { rateLift, seededRandom } from '../reports/experiments/stats.ts';

const N = Math.max(100, Math.min(5000, Math.floor(Number(process.argv[2] ?? process.env.BENCH_EXPERIMENT_N ?? 1000)) || 1000));
const S = Math.max(100, Math.min(20000, Math.floor(Number(process.argv[3] ?? process.env.BENCH_EXPERIMENT_S ?? 5000)) || 5000));
const TRUE_RATE: Record<string, number> = { control: 0.2, congratulate: 0.4, 'short-favour': 0.55 };
const DAY = 86_400_000;
const testServerPath = process.env.TEMPORAL_TEST_SERVER_PATH;
if (!testServerPath) {
  console.error('TEMPORAL_TEST_SERVER_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh test-server)"  first');
  process.exit(2);
}
Runtime.install({
  logger: new DefaultLogger('ERROR', (entry) => process.stderr.write(`${entry.message}\n`)),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});
const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

let seq = 0;
const event = (type: string, customerId: string, data: Record<string, unknown>, traits?: Record<string, unknown>): JourneyEvent => ({
  id: `bench-${++seq}`,
  type,
  customerId,
  occurredAt: new Date().toISOString(),
  data,
  ...(traits ? { traits } : {}),
});

/** One JS pass over the logs: per group, customers assigned and customers who acted after (the raw baseline). */
function rawCounts(dir: string, experiment: string): Map<string, { customers: number; acted: number }> {
  const arms = new Map<string, string>();
  const acted = new Set<string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ndjson')))
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as { type: string; customerId: string; data?: { experiment?: string; arm?: string } };
      if (r.type === 'experiment.assigned' && r.data?.experiment === experiment && !arms.has(r.customerId))
        arms.set(r.customerId, r.data.arm!);
      if (r.type === 'action.taken') acted.add(r.customerId);
    }
  const out = new Map<string, { customers: number; acted: number }>();
  for (const [customer, arm] of arms) {
    const c = out.get(arm) ?? { customers: 0, acted: 0 };
    c.customers++;
    if (acted.has(customer)) c.acted++;
    out.set(arm, c);
  }
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-experiments-'));
const stops: Array<() => Promise<unknown>> = [];
try {
  console.log(`experiment benchmark: N=${N} customers through milestone-review-ask v2, S=${S} simulated experiments; starting...`);
  const env = await createTimeSkippingEnv(testServerPath, { searchAttributes: true });
  stops.unshift(() => env.teardown());
  const client = new Client({ connection: env.connection, namespace: 'default' });
  const taskQueue = `bench-experiments-${Date.now()}`;
  // Contact slots are granted here rather than by customer:<id>: with 1,500 runs reserving at once, the Java test
  // server's update-with-start failed (NullPointerException on the update handle, 2026-12-03) and the runs stalled.
  // What this measures is the experiment, not the contact policy; rewards still go through customer:<id>'s ledger.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
    activities: {
      ...createActivities({ dataDir, rewardWebhook: null, customers: { client, taskQueue } }),
      reserveContactSlot: async () => ({ granted: true }),
    },
  });
  const running = worker.run();
  stops.unshift(async () => {
    worker.shutdown();
    await running;
  });
  const { plans } = await loadJourneyDir();
  const plan = plans.find((p) => p.journeyId === 'milestone-review-ask')!;
  const x = plan.definition.experiment!;
  // Monday 10:00 in New York, inside the experiment's window (moved onto the clock when the run is outside it).
  let now = await env.currentTimeMs();
  const monday = new Date(now);
  let t = Date.UTC(monday.getUTCFullYear(), monday.getUTCMonth(), monday.getUTCDate(), 15);
  while (t <= now || new Date(t).getUTCDay() !== 1) t += DAY;
  await env.sleep(t - now);
  now = await env.currentTimeMs();
  if (now < Date.parse(x.start) || now >= Date.parse(x.end)) {
    x.start = new Date(now - DAY).toISOString();
    x.end = new Date(now + 90 * DAY).toISOString();
  }
  const started = Date.now();
  const ids = Array.from({ length: N }, (_, i) => `bench-${i}`);
  for (let i = 0; i < N; i += 50)
    await Promise.all(
      ids.slice(i, i + 50).map((id) => {
        const input: JourneyRunInput = { plan, customerId: id };
        const traits = { email: `${id}@example.com`, firstName: 'Pat', timezone: 'America/New_York' };
        return client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
          workflowId: journeyWorkflowId(plan.journeyId, id),
          taskQueue,
          args: [input],
          signal: journeyEventSignal,
          signalArgs: [event('milestone.reached', id, { milestone: 'go-live' }, traits)],
        });
      }),
    );
  await env.sleep(DAY + 2 * 3_600_000);
  const draw = seededRandom(2026);
  const groupOf = (id: string) => {
    const a = assignArm(x.id, id, x.arms, x.holdout);
    return a.group === 'control' ? 'control' : a.arm;
  };
  const reviewers = ids.filter((id) => draw() < TRUE_RATE[groupOf(id)]);
  for (let i = 0; i < reviewers.length; i += 50)
    await Promise.all(
      reviewers
        .slice(i, i + 50)
        .map((id) =>
          client.workflow
            .getHandle(journeyWorkflowId(plan.journeyId, id))
            .signal(journeyEventSignal, event('review.posted', id, { site: 'G2' })),
        ),
    );
  await env.sleep(9 * DAY);
  const driveSeconds = (Date.now() - started) / 1000;

  const scope = findExperiment([plan], x.id)!;
  const kpis = loadCatalog().kpis!;
  const t0 = performance.now();
  const report = await runExperimentReport(dataDir, scope, kpis);
  const reportMs = performance.now() - t0;
  const t1 = performance.now();
  const raw = rawCounts(join(dataDir, 'tracking'), x.id);
  const rawMs = performance.now() - t1;
  for (const arm of report.arms) {
    const r = raw.get(arm.arm);
    if (r?.customers !== arm.customers || r.acted !== arm.primary.x)
      throw new Error(
        `report and raw pass disagree on ${arm.arm}: ${JSON.stringify({ report: arm.primary, customers: arm.customers, raw: r })}`,
      );
  }
  console.log(`\ndriven in ${driveSeconds.toFixed(0)} s (${N} runs, 10 simulated days)\n`);
  console.log(renderExperimentTable(report));
  console.log('\n| arm | customers | true lift | estimate | 95 % interval | truth inside |\n| --- | ---: | ---: | ---: | --- | --- |');
  for (const arm of report.arms.filter((a) => !a.control)) {
    const truth = TRUE_RATE[arm.arm] - TRUE_RATE.control;
    const l = arm.lift!;
    const pp = (v: number) => `${(v * 100).toFixed(1)} pp`;
    console.log(
      `| ${arm.arm} | ${arm.customers} | ${pp(truth)} | ${pp(l.difference)} | ${pp(l.interval.low)} to ${pp(l.interval.high)} | ${l.interval.low <= truth && truth <= l.interval.high ? 'yes' : 'NO'} |`,
    );
  }
  console.log(
    `\nreport: ${reportMs.toFixed(0)} ms (DuckDB over the logs); raw JS pass: ${rawMs.toFixed(0)} ms; ratio ${(reportMs / rawMs).toFixed(1)}x`,
  );

  // Coverage: S simulated experiments with the same group sizes and true rates; how often each interval holds the truth.
  const sizes = Object.fromEntries(report.arms.map((a) => [a.arm, a.customers]));
  const sim = seededRandom(7);
  const successes = (n: number, p: number) => Array.from({ length: n }).reduce<number>((s) => s + (sim() < p ? 1 : 0), 0);
  for (const arm of x.arms.map((a) => a.id)) {
    let inside = 0;
    const truth = TRUE_RATE[arm] - TRUE_RATE.control;
    for (let i = 0; i < S; i++) {
      const l = rateLift(successes(sizes[arm], TRUE_RATE[arm]), sizes[arm], successes(sizes.control, TRUE_RATE.control), sizes.control);
      if (l.interval.low <= truth && truth <= l.interval.high) inside++;
    }
    console.log(
      `coverage of the 95 % interval for ${arm} (n=${sizes[arm]} vs control n=${sizes.control}): ${((100 * inside) / S).toFixed(1)} % of ${S}`,
    );
  }
} finally {
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  rmSync(dataDir, { recursive: true, force: true });
}
