// Benchmark: how many waiting customers one box holds, and what they cost at rest. Run by hand, bounded:
//   eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/scale.ts [STEPS]
//   STEPS (BENCH_SCALE_STEPS): cumulative customer counts, default 10000,100000 (at most 200,000)
//   BENCH_SCALE_TARGET=dev (default: dev server on a SQLite file, 1 worker, 1 API) | cluster (npm run start:cluster)
//   BENCH_SCALE_C (32 requests at once), BENCH_SCALE_IDLE_S (300: the idle window), BENCH_SCALE_MAX_DRIVE_S (3600 per
//   side per step: past it the step stops driving and its figures are marked partial), BENCH_SCALE_EFFECT_WAIT_S (600:
//   how long after the drive the effects are waited for; the ones still missing are counted), BENCH_SCALE_SIDES (both |
//   ours | raw: drive one side only, e.g. to reach 100,000 waiting customers in the time of one side; its ratios then
//   print as -), BENCH_SCALE_HISTORIES (200: how many histories of each workflow type started while its side was driven (raw's too)
//   are read for the server's view of their workflow tasks; 0: none), BENCH_SCALE_RAW_PACE (unset: raw is driven first,
//   C at once, as fast as it is accepted; `ours`: ours first, then raw at the events/s ours was accepted at, so both
//   sides meet the same arrival rate and the latency ratio compares paths, not queues; a number: raw at that many
//   events/s, still first), BENCH_SCALE_PACE (both sides at that many events/s: below both sides' capacity, each
//   latency is its path's at the same load), BENCH_SCALE_KEEP_DATA=1 (keep the data folder: the
//   server's and the cluster's logs, the database, the tracking logs; it says where). Ctrl-C stops it cleanly.
// For each step, first the raw baseline then ours drive the new customers up to the step's count, each with a
// realistic mix of events (bench/scale-population.ts): ours as HTTP POST /v1/events to our API (routed to the shipped
// journeys, real durations: promoters wait two days for their ask, every run waits), raw as signalWithStart of a
// trivial one-run-per-customer workflow (bench/scale-raw-workflows.ts) with one activity per event. Event-to-effect:
// accepted (the API's 202 / signalWithStart returned) → the effect's line logged: for ours the promoter's `nps.received`
// tracking record of nps-promoter-referral (written live when the run handles the event), for raw the activity's line.
// Ours also times the go-live milestones (all of known customers): each starts a milestone-review-ask run that reads
// the customer's facts before it takes the event (→ its `delight` or `delight.ignored` record); no raw counterpart.
// While ours is driven, our workers' SDK metrics say where each queue's workflow tasks spent their time (waiting on the
// server, held in the worker, the start-facts reads) and the server's say how many timed out or left a sticky queue.
// Then all wait, and after BENCH_SCALE_IDLE_S: workflows open, the database size, RSS and CPU of every process.
// Worker knobs come from the environment as in production: JOURNEY_WORKER_MAX_CACHED_WORKFLOWS, _MAX_WORKFLOW_TASKS...
import { mkdtempSync, rmSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  cpuPercent,
  EffectTail,
  PeakRss,
  pct,
  ProgressBar,
  sampleProcess,
  serverTimeouts,
  taskTimesBetween,
  timeoutsBetween,
  transferFailuresInLog,
  workerTaskTimes,
  describeTaskTimes,
  type WorkerTaskTimes,
  type ProcSample,
  type ServerTimeouts,
  type TransferFailures,
} from './scale-measure.ts';
import { describeHistoryTaskTimes, historyTaskTimes, type HistoryTaskTimes } from './scale-histories.ts';
import { API_KEY, startScaleTopology, type ScaleTopology } from './scale-topology.ts';
import { customerEvents, type ScaleEvent } from './scale-population.ts';
import { rawScaleEventSignal } from './scale-raw-workflows.ts';
import { loadTemporalConfig } from '../worker/temporal-config.ts';

const env = process.env;
const steps = (process.argv[2] ?? env.BENCH_SCALE_STEPS ?? '10000,100000')
  .split(',')
  .map((s) => Math.min(200_000, Math.max(1, Math.floor(Number(s)))));
const target = env.BENCH_SCALE_TARGET === 'cluster' ? 'cluster' : 'dev';
const C = Math.max(1, Math.min(256, Number(env.BENCH_SCALE_C ?? 32)));
const idleSeconds = Math.max(10, Number(env.BENCH_SCALE_IDLE_S ?? 300));
const maxDriveMs = Math.max(60, Number(env.BENCH_SCALE_MAX_DRIVE_S ?? 3600)) * 1000;
const effectWaitMs = Math.max(10, Number(env.BENCH_SCALE_EFFECT_WAIT_S ?? 600)) * 1000;
const historySample = Math.max(0, Math.min(5000, Number(env.BENCH_SCALE_HISTORIES ?? 200)));
/** Events per second from a setting (at least 0.1); undefined when unset or not a number: unpaced. */
const paceOf = (raw: string | undefined) => (raw ? Math.max(0.1, Number(raw)) || undefined : undefined);
const rawPace = env.BENCH_SCALE_RAW_PACE === 'ours' ? 'ours' : paceOf(env.BENCH_SCALE_RAW_PACE);
const bothPace = paceOf(env.BENCH_SCALE_PACE);
const sides = env.BENCH_SCALE_SIDES === 'ours' || env.BENCH_SCALE_SIDES === 'raw' ? env.BENCH_SCALE_SIDES : 'both';
const log = (l: string) => console.error(`[scale] ${l}`);
const mb = (b: number) => (b / 2 ** 20).toFixed(0);

interface SideResult {
  customers: number;
  events: number;
  partial: boolean;
  /** First send → last send accepted. */
  driveSeconds: number;
  /** The events/s the sends were paced at; undefined: C at once, as fast as they were accepted. */
  pacedAt?: number;
  /** First send → last measured effect logged. */
  endToEndSeconds: number;
  latencies: number[];
  effectsMissing: number;
  /** Ours only: the go-live milestones of customers already known, each of which starts a milestone-review-ask run
   *  that must read the customer's facts before it takes the event (event → its delight record, or delight.ignored). */
  knownStart: { latencies: number[]; missing: number };
  /** CPU seconds (user + system) the side's worker processes used from the first send to the last effect waited for. */
  workerCpuSeconds?: number;
}

/** drive(), with the CPU the workers (`pids`, read at the start and again at the end) used meanwhile. */
async function driveMeasuringCpu(pids: () => number[], ...args: Parameters<typeof drive>): Promise<SideResult> {
  /** CPU seconds a process has used so far (a process gone counts 0). */
  const cpuSeconds = (pid: number) => sampleProcess(pid)?.cpuSeconds ?? 0;
  const before = new Map(pids().map((pid) => [pid, cpuSeconds(pid)]));
  const result = await drive(...args);
  // A worker restarted meanwhile is counted from its start.
  const used = pids().reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0);
  return { ...result, workerCpuSeconds: used };
}

/** Which measured class an event's effect belongs to: `main` (the row every side has) or `knownStart` (ours only). */
type Measured = 'main' | 'knownStart' | undefined;

/** The events/s a side's sends were accepted at while it was driven (NaN for a side that drove nothing). */
const acceptedRate = (r: SideResult) => r.events / r.driveSeconds;

/** Drives customers [from, to) with at most C at once, and no faster than `pace` events/s when given; `measured` says
 *  which events' effects are timed, in which class. */
async function drive(
  label: string,
  from: number,
  to: number,
  send: (e: ScaleEvent) => Promise<void>,
  tail: EffectTail,
  measured: (e: ScaleEvent) => Measured,
  pace?: number,
): Promise<SideResult> {
  const effectId = (e: ScaleEvent) => `${runTag}-${e.id}`; // the id the event is sent with, so its effect carries it
  const acceptedAt = new Map<string, number>();
  const knownAt = new Map<string, number>();
  const bar = new ProgressBar(label, to - from);
  const started = performance.now();
  const startedEpoch = Date.now();
  let next = from;
  let done = 0;
  let events = 0;
  let partial = false;
  /** Paced: the n-th send is due n / pace seconds after the start (the lanes take the slots in turn). */
  let slot = 0;
  const paced = async () => {
    if (!pace) return;
    const wait = started + (slot++ * 1000) / pace - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  if (!drives(label))
    return {
      customers: 0,
      events: 0,
      partial,
      driveSeconds: 0,
      endToEndSeconds: 0,
      latencies: [],
      effectsMissing: 0,
      knownStart: { latencies: [], missing: 0 },
    };
  const ticker = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    bar.draw(done, `customers  ${(events / s).toFixed(0)} events/s accepted`);
  }, 500);
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < to) {
        if (performance.now() - started > maxDriveMs) {
          partial = true;
          return;
        }
        const i = next++;
        for (const e of customerEvents(i)) {
          await paced();
          await send(e);
          events++;
          const kind = measured(e);
          if (kind) (kind === 'main' ? acceptedAt : knownAt).set(effectId(e), Date.now());
        }
        done++;
      }
    }),
  );
  const driveSeconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  bar.draw(done, 'customers driven; waiting for the effects...');
  bar.end();
  // Every measured event's effect, or up to BENCH_SCALE_EFFECT_WAIT_S more: a missing one is reported, never waited for ever.
  const deadline = Date.now() + effectWaitMs;
  for (;;) {
    tail.poll();
    const missing = [...acceptedAt.keys(), ...knownAt.keys()].filter((id) => !tail.effects.has(id)).length;
    if (missing === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  /** Each accepted event's wait for its effect (sorted), the effects never seen, and the last effect's time. */
  const measure = (accepted: Map<string, number>) => {
    const latencies: number[] = [];
    let missing = 0;
    let last = startedEpoch;
    for (const [id, at] of accepted) {
      const effect = tail.effects.get(id);
      if (effect === undefined) missing++;
      else {
        latencies.push(Math.max(0, effect - at));
        last = Math.max(last, effect);
      }
    }
    return { latencies: latencies.sort((a, b) => a - b), missing, last };
  };
  const { latencies, missing: effectsMissing, last: lastEffect } = measure(acceptedAt);
  const known = measure(knownAt);
  const knownStart = { latencies: known.latencies, missing: known.missing };
  return {
    customers: done,
    events,
    partial,
    driveSeconds,
    ...(pace ? { pacedAt: pace } : {}),
    endToEndSeconds: (lastEffect - startedEpoch) / 1000,
    latencies,
    effectsMissing,
    knownStart,
  };
}

/** Whether BENCH_SCALE_SIDES drives this side (labels start with `raw` or `ours`). */
function drives(label: string): boolean {
  return sides === 'both' || label.startsWith(sides);
}

async function countOpen(client: Client, type: string): Promise<number> {
  return (await client.workflow.count(`WorkflowType="${type}" AND ExecutionStatus="Running"`)).count;
}

const runTag = Date.now().toString(36);
const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
let topo: ScaleTopology | undefined;
// Ctrl-C / SIGTERM: stop every process this bench started (the dev server and workers run detached), then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping what the bench started...`);
    void (topo?.stop() ?? Promise.resolve()).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  });
try {
  const pacing = bothPace
    ? `both paced at ${bothPace} events/s`
    : rawPace
      ? `raw paced at ${rawPace === 'ours' ? "ours's rate" : `${rawPace} events/s`}`
      : 'unpaced';
  log(
    `target ${target}; steps ${steps.join(' → ')} customers; sides ${sides}; ${C} at once, ${pacing}; idle window ${idleSeconds}s; data in ${dir}`,
  );
  topo = await startScaleTopology(target, dir, log);
  const t = topo;
  const connection = await Connection.connect(loadTemporalConfig(t.temporalEnv).connectionOptions);
  const client = new Client({ connection, namespace: 'default' });
  const trackingDir = join(t.dataDir, 'tracking');
  const ours = new EffectTail(
    () => (readdirSafe(trackingDir) ?? []).filter((f) => f.endsWith('.ndjson')).map((f) => join(trackingDir, f)),
    (r) => {
      const data = r.data as { eventId?: string } | undefined;
      if (!data?.eventId) return undefined;
      const promoterHeard = r.type === 'nps.received' && r.journeyId === 'nps-promoter-referral';
      const milestoneTaken = (r.type === 'delight' || r.type === 'delight.ignored') && r.journeyId === 'milestone-review-ask';
      return promoterHeard || milestoneTaken ? [data.eventId, Date.parse(String(r.loggedAt))] : undefined;
    },
  );
  const raw = new EffectTail(
    () => [t.rawEffectFile],
    (r) => [String(r.eventId), Date.parse(String(r.loggedAt))],
  );
  let apiTurn = 0;
  const postOurs = async (e: ScaleEvent) => {
    const url = t.apiUrls[apiTurn++ % t.apiUrls.length];
    const body = JSON.stringify({ ...e, id: `${runTag}-${e.id}`, customerId: `${runTag}-${e.customerId}` });
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status === 202) return void (await res.arrayBuffer());
      // 429/503: the API sheds load; a client retries the same event (same id: no double effect).
      if ((res.status === 429 || res.status >= 500) && attempt < 20) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        continue;
      }
      throw new Error(`event ${e.id} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
  };
  const sendRaw = async (e: ScaleEvent) => {
    await client.workflow.signalWithStart('rawScaleCustomer', {
      workflowId: `raw-${runTag}-${e.customerId}`,
      taskQueue: t.rawTaskQueue,
      args: [],
      signal: rawScaleEventSignal,
      signalArgs: [{ id: `${runTag}-${e.id}`, customerId: e.customerId }],
    });
  };
  // Every customer's first event is its NPS answer, so a go-live milestone always comes from a known customer.
  const oursMeasured = (e: ScaleEvent): Measured =>
    e.type === 'nps.submitted' && Number(e.data.score) >= 9
      ? 'main'
      : e.type === 'milestone.reached' && e.data.milestone === 'go-live'
        ? 'knownStart'
        : undefined;

  let from = 0;
  let waiting = 0;
  for (const to of steps) {
    if (to <= from) continue;
    const db0 = t.databaseBytes();
    const stepStartedMs = Date.now();
    const timeouts0 = t.serverMetricsUrl ? await serverTimeouts(t.serverMetricsUrl) : undefined;
    let rawFrom = '';
    const driveRaw = (pace?: number) => {
      rawFrom = new Date().toISOString();
      return driveMeasuringCpu(
        () => [t.rawWorkerPid],
        `raw  ${to.toLocaleString('en')}`,
        from,
        to,
        sendRaw,
        raw,
        () => 'main',
        pace,
      );
    };
    // Raw first unless it is paced at ours's rate; each side's database growth is read around its own drive.
    let rawResult = rawPace === 'ours' ? undefined : await driveRaw(bothPace ?? rawPace);
    const db1 = t.databaseBytes();
    let rawGrowth = db1 - db0;
    const peak = new PeakRss(() => ({ ours: t.workerPids(), api: t.apiPids() }));
    const tasks0 = await workerTaskTimes(t.workerMetricsUrls());
    const oursFrom = new Date().toISOString();
    const ourResult = await driveMeasuringCpu(
      () => t.workerPids(),
      `ours ${to.toLocaleString('en')}`,
      from,
      to,
      postOurs,
      ours,
      oursMeasured,
      bothPace,
    );
    const taskTimes = taskTimesBetween(tasks0, await workerTaskTimes(t.workerMetricsUrls()));
    const peaks = peak.stop();
    const db1b = t.databaseBytes();
    if (!rawResult) {
      const oursAccepted = acceptedRate(ourResult);
      log(`raw paced at ours's accepted rate: ${oursAccepted.toFixed(1)} events/s`);
      rawResult = await driveRaw(Number.isFinite(oursAccepted) && oursAccepted > 0 ? oursAccepted : undefined);
      rawGrowth = t.databaseBytes() - db1b;
    }
    // The tasks as the server recorded them, in runs started while each side was driven (read before the idle window).
    const sampled: Array<[string, string]> = [
      ['advocacyJourney', oursFrom],
      ['customerProfile', oursFrom],
      ...(rawResult.customers ? [['rawScaleCustomer', rawFrom] as [string, string]] : []),
    ];
    const histories = historySample
      ? await Promise.all(
          sampled.map(
            async ([type, since]) =>
              [type, await historyTaskTimes(client, `WorkflowType="${type}" AND StartTime >= "${since}"`, historySample)] as const,
          ),
        )
      : [];
    from = to;

    // A partial step drove fewer customers than it was named for: say how many wait, not the step's target.
    waiting += Math.max(ourResult.customers, rawResult.customers);
    log(`${waiting.toLocaleString('en')} customers wait; idle for ${idleSeconds}s before reading CPU and memory...`);
    const pids = { ours: t.workerPids(), api: t.apiPids(), raw: [t.rawWorkerPid], server: t.serverPid ? [t.serverPid] : [] };
    const settle = Math.min(60, idleSeconds / 5); // the last tasks drain before the window opens
    await new Promise((r) => setTimeout(r, settle * 1000));
    const before = Object.fromEntries(Object.entries(pids).map(([k, ps]) => [k, ps.map(sampleProcess)])) as Record<
      string,
      Array<ProcSample | undefined>
    >;
    const idleBar = new ProgressBar('idle', idleSeconds);
    const idleStart = Date.now();
    while (Date.now() - idleStart < idleSeconds * 1000) {
      idleBar.draw(Math.round((Date.now() - idleStart) / 1000), 'seconds');
      await new Promise((r) => setTimeout(r, 1000));
    }
    idleBar.end();
    const after = Object.fromEntries(Object.entries(pids).map(([k, ps]) => [k, ps.map(sampleProcess)])) as Record<
      string,
      Array<ProcSample | undefined>
    >;
    const atRest = (k: string) =>
      before[k].map((b, i) => (b && after[k][i] ? { cpu: cpuPercent(b, after[k][i]!), rss: after[k][i]!.rssBytes } : undefined));
    const open = {
      journeys: await countOpen(client, 'advocacyJourney'),
      customers: await countOpen(client, 'customerProfile'),
      raw: await countOpen(client, 'rawScaleCustomer'),
    };
    const timeouts1 = t.serverMetricsUrl ? await serverTimeouts(t.serverMetricsUrl) : undefined;
    const timeouts = timeouts0 && timeouts1 ? timeoutsBetween(timeouts0, timeouts1) : undefined;
    const transferFailures = t.serverLogFile ? await transferFailuresInLog(t.serverLogFile, stepStartedMs, Date.now()) : undefined;
    printStep(
      to,
      waiting,
      rawResult,
      ourResult,
      open,
      { ours: db1b - db1, raw: rawGrowth, now: t.databaseBytes() },
      atRest,
      timeouts,
      transferFailures,
      peaks,
      taskTimes,
      histories,
      t.takeProblems(),
    );
  }
  await connection.close();
} finally {
  await topo?.stop();
  if (env.BENCH_SCALE_KEEP_DATA === '1') log(`data kept in ${dir} (BENCH_SCALE_KEEP_DATA=1)`);
  else rmSync(dir, { recursive: true, force: true });
}

function readdirSafe(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

function printStep(
  customers: number,
  waiting: number,
  raw: SideResult,
  ours: SideResult,
  open: { journeys: number; customers: number; raw: number },
  /** Each side's database growth while it was driven, and the size now (bytes). */
  db: { ours: number; raw: number; now: number },
  atRest: (k: string) => Array<{ cpu: number; rss: number } | undefined>,
  timeouts: ServerTimeouts | undefined,
  /** History's pushes of workflow tasks to matching that failed, from the server's log (the cluster target only). */
  transferFailures: TransferFailures | undefined,
  /** Highest RSS of our workers and of our APIs while ours was driven (bytes, the largest process of each). */
  peaks: Record<string, number>,
  /** Our workers' workflow tasks while ours was driven (their SDK metrics). */
  taskTimes: WorkerTaskTimes,
  /** The same tasks from a sample of the histories, by workflow type: the server's start → answer includes what the
   *  worker's metric leaves out (a wait inside the worker before the run takes the task, the answer's way back). */
  histories: ReadonlyArray<readonly [string, HistoryTaskTimes]>,
  problems: Map<string, number>,
): void {
  const rate = (r: SideResult) => r.events / r.endToEndSeconds;
  // A side BENCH_SCALE_SIDES skipped drove nothing: its figures and the ratios print as -.
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) && a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
  const fig = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  const row = (name: string, o: string, r: string, x: string) =>
    console.log(`${name.padEnd(44)} ${o.padStart(14)} ${r.padStart(14)} ${x.padStart(8)}`);
  const procs = (k: string) =>
    atRest(k)
      .map((s) => (s ? `${mb(s.rss)} MB ${s.cpu.toFixed(2)}%` : 'gone'))
      .join(', ');
  console.log(
    `\n== ${waiting.toLocaleString('en')} customers waiting (target ${target})${ours.partial || raw.partial ? `  PARTIAL: the drive hit BENCH_SCALE_MAX_DRIVE_S before ${customers.toLocaleString('en')}` : ''}`,
  );
  row('', 'ours', 'raw', 'ratio');
  row('customers driven this step', String(ours.customers), String(raw.customers), '');
  row('events accepted this step', String(ours.events), String(raw.events), '');
  // Raw paced (BENCH_SCALE_RAW_PACE) meets the arrival rate it was given, not the one it could take.
  const accepted = (r: SideResult) => `${r.pacedAt ? `paced ${r.pacedAt.toFixed(1)}: ` : ''}${fig(acceptedRate(r), 1)}`;
  row('events/s accepted while driven', accepted(ours), accepted(raw), '');
  row('events/s end to end (accepted → effect)', fig(rate(ours), 1), fig(rate(raw), 1), ratio(rate(ours), rate(raw)));
  row(
    'event → effect p50 ms',
    fig(pct(ours.latencies, 0.5), 0),
    fig(pct(raw.latencies, 0.5), 0),
    ratio(pct(ours.latencies, 0.5), pct(raw.latencies, 0.5)),
  );
  row(
    'event → effect p99 ms',
    fig(pct(ours.latencies, 0.99), 0),
    fig(pct(raw.latencies, 0.99), 0),
    ratio(pct(ours.latencies, 0.99), pct(raw.latencies, 0.99)),
  );
  // The workers' CPU for the step's work: what the box's capacity for each side turns on (the APIs' is not in it).
  const cpuPer1000 = (r: SideResult) => (r.workerCpuSeconds !== undefined && r.events > 0 ? (r.workerCpuSeconds / r.events) * 1000 : NaN);
  row(
    'worker CPU while driven, s per 1,000 events',
    fig(cpuPer1000(ours), 1),
    fig(cpuPer1000(raw), 1),
    ratio(cpuPer1000(ours), cpuPer1000(raw)),
  );
  row(
    'effects measured (missing)',
    `${ours.latencies.length} (${ours.effectsMissing})`,
    `${raw.latencies.length} (${raw.effectsMissing})`,
    '',
  );
  // Runs that read the customer's facts before they take their event (a known customer's first run of a journey).
  row(
    'known customer, fresh run: p50 / p99 ms',
    `${fig(pct(ours.knownStart.latencies, 0.5), 0)} / ${fig(pct(ours.knownStart.latencies, 0.99), 0)}`,
    '',
    '',
  );
  row('  measured (missing)', `${ours.knownStart.latencies.length} (${ours.knownStart.missing})`, '', '');
  row('workflows open', String(open.journeys + open.customers), String(open.raw), ratio(open.journeys + open.customers, open.raw));
  row('  of which journey runs / customer:<id>', `${open.journeys} / ${open.customers}`, '', '');
  row('database growth this step, MB', mb(db.ours), mb(db.raw), ours.customers && raw.customers ? ratio(db.ours, db.raw) : '-');
  // Both sides share the server, so these are the step's totals: a task the SDK dropped (or a worker that died with it)
  // waits its 10 s timeout and then a backlog again; a query times out while its run's task is held.
  row('workflow tasks timed out (server, both sides)', timeouts ? String(timeouts.workflowTasks) : '-', '', '');
  row('sticky tasks not taken in 10 s (server)', timeouts ? String(timeouts.stickyWaits) : '-', '', '');
  row('queries timed out (server, both sides)', timeouts ? String(timeouts.queries) : '-', '', '');
  // The signature of the tasks the server still starts and no worker gets (bench/README.md, scale, stop 48).
  if (transferFailures)
    row(
      'task pushes to matching failed (server log)',
      `${transferFailures.canceled} canceled, ${transferFailures.deadline + transferFailures.other} other`,
      '',
      '',
    );
  console.log(
    `our workers' workflow tasks while ours was driven (the SDK's metrics, summed over ${taskTimes.workers} worker process(es)):`,
  );
  for (const line of describeTaskTimes(taskTimes)) console.log(line);
  for (const [type, h] of histories) for (const line of describeHistoryTaskTimes(type, h)) console.log(line);
  const kinds = [...problems].sort((a, b) => b[1] - a[1]);
  console.log(
    `our workers' and APIs' WARN / ERROR lines this step: ${kinds.reduce((n, [, c]) => n + c, 0)}` +
      (kinds.length > 10 ? ` (the 10 most frequent of ${kinds.length} kinds)` : ''),
  );
  for (const [kind, n] of kinds.slice(0, 10)) console.log(`  ${String(n).padStart(6)} × ${kind}`);
  const workers = atRest('ours');
  // The raw worker runs either way; when BENCH_SCALE_SIDES=ours it never had work, so its idle figures are no baseline.
  const rawWorker = drives('raw') ? atRest('raw')[0] : undefined;
  const maxRss = Math.max(...workers.map((w) => w?.rss ?? 0));
  const sumCpu = workers.reduce((s, w) => s + (w?.cpu ?? 0), 0);
  row(
    `worker RSS at rest, MB (max of ${workers.length})`,
    mb(maxRss),
    rawWorker ? mb(rawWorker.rss) : '-',
    rawWorker ? ratio(maxRss, rawWorker.rss) : '',
  );
  row(`worker CPU at rest, % of one core (sum)`, sumCpu.toFixed(2), rawWorker ? rawWorker.cpu.toFixed(2) : '-', '');
  const apis = atRest('api');
  row(`API RSS at rest, MB (max of ${apis.length})`, mb(Math.max(...apis.map((a) => a?.rss ?? 0))), '', '');
  row('RSS while driven, MB (highest worker / API)', `${mb(peaks.ours ?? 0)} / ${mb(peaks.api ?? 0)}`, '', '');
  console.log(
    `database on disk now: ${mb(db.now)} MB; server process at rest: ${procs('server') || '-'}; our workers: ${procs('ours')}; our APIs: ${procs('api')}`,
  );
  console.log(
    `goal at 100,000 waiting: worker RSS < 500 MB and CPU at rest < 2 % of one core → ${maxRss < 500 * 2 ** 20 && sumCpu < 2 ? 'met' : 'NOT met'} with ${waiting.toLocaleString('en')} waiting`,
  );
}
