// Benchmark: what one journey cycle costs in Temporal, our interpreter against a raw workflow, in one run.
//   ours = advocacyJourney running the shipped nps-promoter-referral plan for M customers, one after another, each
//          through one full cycle (delight → qualify → ask → referral + closed-won → rewards → thank-you →
//          continue-as-new), driven as test/interpreter-lifecycle.test.ts drives it, with the real activities; each
//          event goes to customer:<id> first, as the API routes it, and what the cycle writes into the advocate's
//          and the referred friend's customer workflows is counted with it
//   raw  = rawJourneyBaseline (bench/baseline-workflows.ts): the very timers and activities a warm-up run of ours
//          scheduled (read from its history), in the same workflow-task groups, no-op activities, the same signals;
//          driven by the same polling loop as ours, and also by simply awaiting its result
// On the time-skipping test server (started here, its own), workers on unique task queues; all stopped at the end.
// Prints wall time per run and history events per run for both, and the ratios. Bounded: M ≤ 200 runs per side.
// Run: eval "$(bash scripts/obtain-temporal.sh test-server)" && node --import tsx bench/journey.ts [M]   (or BENCH_JOURNEY_M)
import {
  JOURNEY_WORKFLOW_TYPE,
  customerWorkflowId,
  journeyEventSignal,
  journeyWorkflowId,
  type JourneyRunInput,
} from '../workflows/contract/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import proto, { type temporal } from '@temporalio/proto';
import { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createJourneyWorker, WORKFLOWS_PATH } from '../worker/worker.ts';
import { loadJourneyDir } from '../definitions/loader.ts';
import { baselineEventSignal, type BaselineStep } from './baseline-workflows.ts';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import { TRACKING_DEFER_MS } from '../workflows/stages/track.ts';
import { BENCH_JOURNEY, delightEvent, driveBaseline, driveOneCycle, referralActions, referredFriend } from './journey-scenario.ts';
import { deliverToCustomer } from '../api/routing.ts';

const M = Math.max(1, Math.min(200, Math.floor(Number(process.argv[2] ?? process.env.BENCH_JOURNEY_M ?? 10)) || 10));
const testServerPath = process.env.TEMPORAL_TEST_SERVER_PATH;
if (!testServerPath) {
  console.error('TEMPORAL_TEST_SERVER_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh test-server)"  first');
  process.exit(2);
}

// Errors only, to stderr; the Rust core prints its own logs to stdout unless they are forwarded here (`forward`),
// which would mix its warnings into the figures.
Runtime.install({
  logger: new DefaultLogger('ERROR', (entry) => process.stderr.write(`${entry.message}\n`)),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});
const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The timers and activities a run scheduled, grouped by the workflow task that scheduled them: what the baseline
 * repeats without an interpreter (a group runs at once, as in the journey run). A timer lasts as long as it did
 * there: until it fired, or until the run cancelled it (a wait the customer's answer cut short).
 */
/** A history's events by type (workflow-task events together, updates and signals by name), for the figures. */
function breakdown(events: temporal.api.history.v1.IHistoryEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const name =
      e.workflowExecutionSignaledEventAttributes?.signalName ??
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
      (e.workflowExecutionUpdateCompletedEventAttributes ? 'update completed' : undefined) ??
      (e.workflowTaskScheduledEventAttributes || e.workflowTaskStartedEventAttributes || e.workflowTaskCompletedEventAttributes
        ? 'workflow task'
        : (proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '').toLowerCase());
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

function stepGroupsOf(events: HistoryEvent[]): BaselineStep[][] {
  const ended = new Map<string, number>();
  for (const e of events) {
    const timerId = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
    if (timerId) ended.set(timerId, tsToMs(e.eventTime));
  }
  const groups: BaselineStep[][] = [[]];
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) groups.push([]);
    const timer = e.timerStartedEventAttributes;
    const full = timer ? tsToMs(timer.startToFireTimeout) : 0;
    // The tracking writer's bound while an effect is in flight (patch journey-bookkeeping-batched) is our
    // bookkeeping, not the journey's: the baseline does not copy it, so its two events count against us.
    if (timer && full !== TRACKING_DEFER_MS) {
      const lasted = ended.has(timer.timerId!) ? ended.get(timer.timerId!)! - tsToMs(e.eventTime) : full;
      groups.at(-1)!.push({ timerMs: Math.max(1, Math.min(full, lasted)) });
    }
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (activity) groups.at(-1)!.push({ activity });
    // A local activity (the fresh run's start-facts read) leaves one marker in the task that ran it; the baseline runs one too.
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') groups.at(-1)!.push({ localActivity: 'local' });
  }
  return groups.filter((g) => g.length > 0);
}

interface Side {
  wallMs: number[];
  historyEvents: number[];
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dataDir = mkdtempSync(join(tmpdir(), 'bench-journey-'));
const stops: Array<() => Promise<unknown>> = [];
try {
  console.log(
    `journey benchmark: M=${M} customers × one ${BENCH_JOURNEY} cycle per side; starting the time-skipping server and workers...`,
  );
  // The shared environment: its client keeps to the Java test server's keepalive policy (no GOAWAY "too_many_pings"
  // mid-run), and the time-skipping server fails workflow tasks that upsert unregistered search attributes.
  const env = await createTimeSkippingEnv(testServerPath, { searchAttributes: true });
  stops.unshift(() => env.teardown());
  // The driver and the activities use a plain Client on the environment's connection (same relaxed keepalive), not
  // env.client: with env.client (TimeSkippingClient) this loop stalled for good on a query in the fourth cycle on
  // the Java test server, twice; with a plain client it runs through. env.client is kept for awaiting results, where
  // its result() lets time skip while it waits.
  const client = new Client({ connection: env.connection, namespace: 'default' });

  const tag = randomUUID().slice(0, 8);
  const taskQueue = `bench-journey-${tag}`;
  const ourWorker = await createJourneyWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
    activityDeps: { dataDir, rewardWebhook: null, customers: { client, taskQueue } },
  });
  const rawQueue = `bench-journey-raw-${tag}`;
  const rawWorker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: rawQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)),
      logger: quietLogger,
    }),
    activities: {
      async rawBaselineActivity(name: string, key: string) {
        return `${name}:${key}`;
      },
    },
  });
  for (const w of [ourWorker, rawWorker]) {
    const running = w.run();
    stops.unshift(async () => {
      w.shutdown();
      await running;
    });
  }

  const { plans } = await loadJourneyDir();
  const plan = plans.find((p) => p.journeyId === BENCH_JOURNEY);
  if (!plan) throw new Error(`the shipped journey ${BENCH_JOURNEY} did not compile: run \`journey validate\``);

  // Ours: each customer one full cycle; the run must end by continuing as new, or the figure is not a cycle.
  // Customer 0 warms the worker (first workflow task, JIT) and gives the baseline its steps; it is not counted.
  const ours: Side = { wallMs: [], historyEvents: [] };
  // What the cycle writes into customer workflows: the advocate's customer:<id> (the API hands it each of the
  // cycle's events, as it does every event; the run reserves its contact slot and claims and records the reward
  // there) and the referred friend's (their reward in their ledger).
  const customerHistory: number[] = [];
  const friendHistory: number[] = [];
  let customerBreakdown = '';
  let friendBreakdown = '';
  let driverCalls = 0;
  let days = 0;
  let groups: BaselineStep[][] = [];
  let answerTurn = -1;
  for (let i = 0; i <= M; i++) {
    const customerId = `bench-${tag}-${i}`;
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    const t0 = performance.now();
    // As the API routes an event that may start a run: to customer:<id> first, then to the journey.
    const toCustomer = (event: ReturnType<typeof delightEvent>) => deliverToCustomer(client, taskQueue, event);
    await toCustomer(delightEvent(customerId));
    const started = await client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ plan, customerId } satisfies JourneyRunInput],
      signal: journeyEventSignal,
      signalArgs: [delightEvent(customerId)],
    });
    const run = client.workflow.getHandle(workflowId, started.signaledRunId);
    const r = await driveOneCycle(env, run, toCustomer);
    const wallMs = performance.now() - t0;
    if (r.status !== 'CONTINUED_AS_NEW' || r.answeredAtTurn < 0)
      throw new Error(
        `customer ${i}: the cycle ended ${r.status} (asked: ${r.answeredAtTurn >= 0}), not CONTINUED_AS_NEW after an ask; the journey or the scenario changed`,
      );
    const events = (await run.fetchHistory()).events ?? [];
    const customerHistoryEvents = (await client.workflow.getHandle(customerWorkflowId(customerId)).fetchHistory()).events ?? [];
    const customerEvents = customerHistoryEvents.length;
    customerBreakdown = breakdown(customerHistoryEvents);
    const friendEvents = (await client.workflow.getHandle(customerWorkflowId(referredFriend(customerId))).fetchHistory()).events ?? [];
    friendBreakdown = breakdown(friendEvents);
    // The next cycle's run waits in Listen; end it and the customer workflow so nothing carries into the next customer.
    await client.workflow
      .getHandle(workflowId)
      .terminate('benchmark over')
      .catch(() => undefined);
    for (const id of [customerId, referredFriend(customerId)])
      await client.workflow
        .getHandle(customerWorkflowId(id))
        .terminate('benchmark over')
        .catch(() => undefined);
    process.stderr.write(`ours ${i}/${M} ${wallMs.toFixed(0)} ms\n`);
    if (i === 0) {
      groups = stepGroupsOf(events);
      answerTurn = r.answeredAtTurn;
      continue;
    }
    ours.wallMs.push(wallMs);
    ours.historyEvents.push(events.length);
    customerHistory.push(customerEvents);
    friendHistory.push(friendEvents.length);
    driverCalls += r.driverCalls;
    days += r.simulatedDays;
  }

  // Raw: the same timers and activities, the same three signals, no interpreter. Driven twice: by the same loop as
  // ours (the fair comparison), and by awaiting the result, where the server skips time on its own (the floor).
  const rawDriven: Side = { wallMs: [], historyEvents: [] };
  const rawResult: Side = { wallMs: [], historyEvents: [] };
  let rawDriverCalls = 0;
  for (let i = 0; i <= M; i++) {
    for (const [side, driven] of [
      [rawDriven, true],
      [rawResult, false],
    ] as const) {
      const customerId = `bench-raw-${driven ? 'd' : 'r'}-${tag}-${i}`;
      const t0 = performance.now();
      const handle = await client.workflow.signalWithStart('rawJourneyBaseline', {
        workflowId: `raw-journey-${customerId}`,
        taskQueue: rawQueue,
        args: [groups],
        signal: baselineEventSignal,
        signalArgs: [delightEvent(customerId)],
      });
      if (driven) {
        const r = await driveBaseline(env, handle, answerTurn, customerId);
        if (i > 0) rawDriverCalls += r.driverCalls;
      } else {
        for (const e of referralActions(customerId)) await handle.signal(baselineEventSignal, e);
      }
      const signals = await env.client.workflow.getHandle(handle.workflowId).result(); // time skips while it waits
      const wallMs = performance.now() - t0;
      if (signals !== 3) throw new Error(`the baseline run saw ${signals} signals, expected 3`);
      process.stderr.write(`raw ${driven ? 'driven' : 'result'} ${i}/${M} ${wallMs.toFixed(0)} ms\n`);
      if (i === 0) continue; // warm-up
      side.wallMs.push(wallMs);
      side.historyEvents.push(((await handle.fetchHistory()).events ?? []).length);
    }
  }

  const steps = groups.flat();
  const timers = steps.filter((x) => 'timerMs' in x).length;
  const locals = steps.filter((x) => 'localActivity' in x).length;
  console.log(
    `\none cycle = ${timers} timers + ${steps.length - timers - locals} activities + ${locals} local activities (the start-facts read) in ${groups.length} workflow tasks (${[...new Set(steps.flatMap((x) => ('activity' in x ? [x.activity] : [])))].join(', ')}), ~${Math.round(days / M)} simulated days`,
  );
  console.log(
    `${'side'.padEnd(44)} ${'runs'.padStart(4)} ${'wall ms/run'.padStart(11)} ${'median'.padStart(7)} ${'history ev/run'.padStart(14)} ${'driver calls/run'.padStart(16)}`,
  );
  const line = (name: string, x: Side, calls: string) =>
    console.log(
      `${name.padEnd(44)} ${String(M).padStart(4)} ${mean(x.wallMs).toFixed(0).padStart(11)} ${median(x.wallMs).toFixed(0).padStart(7)} ${mean(x.historyEvents).toFixed(1).padStart(14)} ${calls.padStart(16)}`,
    );
  line('ours: advocacyJourney (interpreter)', ours, (driverCalls / M).toFixed(0));
  line('raw: same timers+activities, same driver', rawDriven, (rawDriverCalls / M).toFixed(0));
  line('raw: same timers+activities, await result', rawResult, '3');
  console.log(
    `ours also: the advocate's customer:<id>, ${mean(customerHistory).toFixed(1)} history events/run (the API's delivery of the cycle's ${1 + referralActions('x').length} events, the contact slot, the reward claim and record); the last: ${customerBreakdown}`,
  );
  console.log(
    `ours also: the referred friend's customer:<id>, ${mean(friendHistory).toFixed(1)} history events/run (their reward in their ledger); the last: ${friendBreakdown}`,
  );
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const customers = mean(customerHistory) + mean(friendHistory);
  console.log(
    `\nratio ours/raw (same driver): wall time ${ratio(mean(ours.wallMs), mean(rawDriven.wallMs))}x, history events ${ratio(mean(ours.historyEvents), mean(rawDriven.historyEvents))}x` +
      ` (${ratio(mean(ours.historyEvents) + customers, mean(rawDriven.historyEvents))}x counting both customer workflows)`,
  );
  console.log(
    `ratio ours/raw (await result): wall time ${ratio(mean(ours.wallMs), mean(rawResult.wallMs))}x, history events ${ratio(mean(ours.historyEvents), mean(rawResult.historyEvents))}x`,
  );
} finally {
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  rmSync(dataDir, { recursive: true, force: true });
}
