// Benchmark: event ingest throughput and latency, our path against raw Temporal, in one run.
//   ours  = real HTTP POST /v1/events to the real fastify API (buildApi), routed to the shipped journeys (a run is
//           started only where the event can open a cycle, other journeys are signalled if a run is open, and the
//           customer's own workflow always), a real worker running them
//   raw   = client.workflow.signalWithStart of a trivial workflow (bench/baseline-workflows.ts), same N and C; and of
//           one that runs an activity for the event (event → effect)
//   batch = POST /v1/events/batch of up to 500 events in one request (each event routed as by POST /v1/events)
// Event → effect: ours from the POST until the started run wrote its `delight` record for the event (the run read
// the customer's facts, took the event and opened a cycle); raw from signalWithStart until its activity ran.
// Every Temporal call the API makes is counted on its own connection, per event; and what each row cost the server:
// its persistence operations per event (the dev server's Prometheus metrics), read once the row's work has settled.
// Everything is its own: a Temporal dev server on free ports (in memory), workers on unique task queues, the API
// on 127.0.0.1; all stopped at the end. Bounded: N events per row (N ≤ 5000), one batch.
// Run: eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/ingest.ts [N] [C] [BATCH]
//      (or BENCH_INGEST_N / BENCH_INGEST_C / BENCH_INGEST_BATCH)
//      BENCH_INGEST_KNOWN=1: the customers of our single-event row are known first: each sends a passive NPS answer
//      (7: starts customer:<id>, no journey run) 15 s before the row, so the runs the row starts read the customer's
//      facts at start (not a first event). Those answers are neither timed nor counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { freePort, persistenceRequests } from '../scripts/dev-server.ts';
import { startBenchServer } from './bench-server.ts';
import { countWorkflowServiceCalls } from '../scripts/count-service-calls.ts';
import { createJourneyWorker, WORKFLOWS_PATH } from '../worker/worker.ts';
import { buildApi } from '../api/server.ts';
import { MAX_BATCH } from '../api/context.ts';
import { parseApiKeys } from '../api/auth.ts';
import { PlanRegistry } from '../api/registry.ts';
import { loadJourneyDir } from '../definitions/loader.ts';
import { baselineEventSignal } from './baseline-workflows.ts';
import { applyHeapGrowth, heapGrowthPercent } from '../worker/heap-growth.ts';

const arg = (i: number, env: string, dflt: number, max: number) =>
  Math.max(1, Math.min(max, Math.floor(Number(process.argv[2 + i] ?? process.env[env] ?? dflt)) || dflt));
const N = arg(0, 'BENCH_INGEST_N', 300, 5000);
const C = arg(1, 'BENCH_INGEST_C', 16, 256);
const BATCH = arg(2, 'BENCH_INGEST_BATCH', MAX_BATCH, MAX_BATCH);

// This process hosts the API, both workers and the raw baseline: the heap growth the worker and the API processes run
// with (worker/heap-growth.ts), from the worker's variable, for both sides alike.
applyHeapGrowth(heapGrowthPercent(process.env, 'JOURNEY_WORKER_HEAP_GROWTH_PERCENT'));

const cliPath = process.env.TEMPORAL_CLI_PATH;
if (!cliPath) {
  console.error('TEMPORAL_CLI_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh cli)"  first');
  process.exit(2);
}

interface Row {
  name: string;
  events: number;
  seconds: number;
  p50?: number;
  p99?: number;
  effect50?: number;
  effect99?: number;
  /** The server's persistence operations per event, by operation, from before the row until its work settled. */
  ops?: Map<string, number>;
  note: string;
}

/** Runs one(i) for i < n with at most c at once; returns wall seconds and each call's latency (ms, sorted). */
async function measure(n: number, c: number, one: (i: number) => Promise<void>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(c, n) }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await one(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, latencies };
}
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const pcts = (sorted: number[]) => ({ p50: pct(sorted, 0.5), p99: pct(sorted, 0.99) });
const effectPcts = (sorted: number[]) => ({ effect50: pct(sorted, 0.5), effect99: pct(sorted, 0.99) });

Runtime.install({ logger: new DefaultLogger('ERROR') }); // worker state changes would drown the table
const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;
const runTag = randomUUID().slice(0, 8);
const npsEvent = (customerId: string) => ({
  id: `bench-${customerId}`,
  type: 'nps.submitted',
  customerId,
  occurredAt: new Date().toISOString(),
  data: { score: 10 },
});

/** Waits (up to 60 s) until every sent event had its effect; the latencies, sorted. A missing effect fails the run. */
async function effectLatencies(sent: Map<string, number>): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  while ([...sent.keys()].some((id) => !effectAt.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const missing = [...sent.keys()].filter((id) => !effectAt.has(id));
  if (missing.length > 0) throw new Error(`${missing.length} of ${sent.size} events had no effect within 60 s (first: ${missing[0]})`);
  return [...sent].map(([id, t]) => effectAt.get(id)! - t).sort((a, b) => a - b);
}
const effectAt = new Map<string, number>();

const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const stops: Array<() => Promise<unknown>> = [];
const rows: Row[] = [];
try {
  console.log(`ingest benchmark: N=${N} events, C=${C} concurrent, batch of ${BATCH}; starting a dev server, workers, API...`);
  const metricsPort = await freePort();
  const { server, connection, workerConnection } = await startBenchServer(
    { cliPath, port: await freePort(), uiPort: await freePort(), metricsPort },
    stops,
  );
  const client = new Client({ connection, namespace: server.namespace });

  // Our worker runs the journeys the API starts, as in production (it competes for the same two cores).
  const taskQueue = `bench-ingest-${runTag}`;
  const ourBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  // The effect of one of our events: the delight record its run writes (seen as the tracking log is appended).
  const seeDelights = (bytes: Buffer) => {
    for (const line of bytes.toString('utf8').split('\n')) {
      if (!line.includes('"delight"')) continue;
      const rec = JSON.parse(line) as { type?: string; data?: { eventId?: string } };
      if (rec.type === 'delight' && rec.data?.eventId && !effectAt.has(rec.data.eventId)) effectAt.set(rec.data.eventId, performance.now());
    }
  };
  const ourWorker = await createJourneyWorker({
    connection: workerConnection,
    namespace: server.namespace,
    taskQueue,
    workflowBundle: ourBundle,
    activityDeps: {
      dataDir,
      rewardWebhook: null,
      customers: { client, taskQueue },
      tracking: {
        dataDir,
        write: async (handle, bytes) => {
          for (let off = 0; off < bytes.length;) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
          seeDelights(bytes);
        },
      },
    },
  });
  // The baseline's worker runs its trivial workflows, so both sides pay for a worker completing what they start.
  const rawQueue = `bench-ingest-raw-${runTag}`;
  const rawBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)),
    logger: quietLogger,
  });
  const rawWorker = await Worker.create({
    connection: workerConnection,
    namespace: server.namespace,
    taskQueue: rawQueue,
    workflowBundle: rawBundle,
    activities: {
      async rawIngestEffect(eventId: string) {
        if (!effectAt.has(eventId)) effectAt.set(eventId, performance.now());
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

  const registry = new PlanRegistry(() => loadJourneyDir());
  const loaded = await registry.reload();
  if (!loaded.applied) throw new Error(`the shipped journeys do not compile: ${JSON.stringify(loaded.diagnostics).slice(0, 500)}`);
  // The API has a connection of its own, on which every Temporal call it makes is counted by method.
  const apiConnection = await Connection.connect({ address: server.address });
  stops.unshift(() => apiConnection.close());
  const { calls: apiCalls } = countWorkflowServiceCalls(apiConnection.workflowService);
  const apiClient = new Client({ connection: apiConnection, namespace: server.namespace });
  const api = await buildApi({ client: apiClient, taskQueue, apiKeys: parseApiKeys('bench-key:ingest'), registry, dataDir });
  const base = await api.listen({ host: '127.0.0.1', port: 0 });
  stops.unshift(() => api.close());
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // Warm both paths (connections, JIT, first workflow tasks) so neither row pays for first-call set-up.
  const warm = 8;
  for (let i = 0; i < warm; i++) {
    const res = await post('/v1/events', npsEvent(`warm-${runTag}-${i}`));
    if (res.status !== 202) throw new Error(`warm-up event answered ${res.status}: ${await res.text()}`);
    await client.workflow.signalWithStart('rawIngestBaseline', {
      workflowId: `raw-warm-${runTag}-${i}`,
      taskQueue: rawQueue,
      args: [],
      signal: baselineEventSignal,
      signalArgs: [npsEvent(`w${i}`)],
    });
  }
  const settle = () => new Promise((r) => setTimeout(r, 2000)); // let the workers finish what the last row started
  /** The server's persistence operations per event since `before`, once they stop moving (the row's tasks done). */
  const opsPerEvent = async (before: Map<string, number>, events: number) => {
    let now = await persistenceRequests(metricsPort);
    for (let quiet = 0, i = 0; quiet < 2 && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const next = await persistenceRequests(metricsPort);
      quiet = [...next].every(([op, n]) => now.get(op) === n) ? quiet + 1 : 0;
      now = next;
    }
    return new Map([...now].map(([op, n]) => [op, (n - (before.get(op) ?? 0)) / events] as const).filter(([, n]) => n > 0));
  };

  // Raw first: our row leaves journeys running (waiting on timers), which must not load the baseline's row.
  await settle();
  const rawOpsBefore = await persistenceRequests(metricsPort);
  const raw = await measure(N, C, async (i) => {
    await client.workflow.signalWithStart('rawIngestBaseline', {
      workflowId: `raw-${runTag}-${i}`,
      taskQueue: rawQueue,
      args: [],
      signal: baselineEventSignal,
      signalArgs: [npsEvent(`raw-${runTag}-${i}`)],
    });
  });
  rows.push({
    name: 'raw signalWithStart (trivial workflow)',
    events: N,
    seconds: raw.seconds,
    ...pcts(raw.latencies),
    ops: await opsPerEvent(rawOpsBefore, N),
    note: '1 call per event',
  });

  await settle();
  const rawSent = new Map<string, number>();
  const rawEffectOpsBefore = await persistenceRequests(metricsPort);
  const rawEffect = await measure(N, C, async (i) => {
    const e = npsEvent(`rawfx-${runTag}-${i}`);
    rawSent.set(e.id, performance.now());
    await client.workflow.signalWithStart('rawIngestEffectBaseline', {
      workflowId: `rawfx-${runTag}-${i}`,
      taskQueue: rawQueue,
      args: [],
      signal: baselineEventSignal,
      signalArgs: [e],
    });
  });
  const rawEffects = await effectLatencies(rawSent);
  rows.push({
    name: 'raw signalWithStart → activity',
    events: N,
    seconds: rawEffect.seconds,
    ...pcts(rawEffect.latencies),
    ...effectPcts(rawEffects),
    ops: await opsPerEvent(rawEffectOpsBefore, N),
    note: '1 call per event, 1 activity',
  });

  await settle();
  if (process.env.BENCH_INGEST_KNOWN === '1') {
    await measure(N, C, async (i) => {
      const passive = { ...npsEvent(`ours-${runTag}-${i}`), id: `known-${runTag}-${i}`, data: { score: 7 } };
      const res = await post('/v1/events', passive);
      if (res.status !== 202) throw new Error(`a passive answer answered ${res.status}: ${await res.text()}`);
    });
    await new Promise((r) => setTimeout(r, 15_000)); // their customer workflows run their first tasks
    console.log(`${N} customers known (a passive answer each); the single-event row follows`);
  }
  const journeysReached = new Map<number, number>();
  const outcomes = new Map<string, number>();
  let notAccepted = 0;
  const callsBefore = new Map(apiCalls);
  const oursSent = new Map<string, number>();
  const oursOpsBefore = await persistenceRequests(metricsPort);
  const ours = await measure(N, C, async (i) => {
    const e = npsEvent(`ours-${runTag}-${i}`);
    oursSent.set(e.id, performance.now());
    const res = await post('/v1/events', e);
    const body = (await res.json()) as { journeys?: Array<{ outcome: string }>; customer?: { outcome: string } };
    if (res.status !== 202) notAccepted++;
    const reached = body.journeys?.length ?? 0;
    journeysReached.set(reached, (journeysReached.get(reached) ?? 0) + 1);
    for (const o of [...(body.journeys ?? []).map((j) => `journey ${j.outcome}`), `customer ${body.customer?.outcome}`])
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
  });
  if (notAccepted > 0) throw new Error(`${notAccepted} of ${N} events were not accepted (202): the figures would not be ours`);
  const callsPerEvent = [...apiCalls].map(([name, n]) => [name, (n - (callsBefore.get(name) ?? 0)) / N] as const).filter(([, n]) => n > 0);
  const oursEffects = await effectLatencies(oursSent);
  rows.push({
    name: 'ours: HTTP POST /v1/events',
    events: N,
    seconds: ours.seconds,
    ...pcts(ours.latencies),
    ...effectPcts(oursEffects),
    ops: await opsPerEvent(oursOpsBefore, N),
    note: `${callsPerEvent.reduce((a, [, n]) => a + n, 0).toFixed(2)} Temporal calls per event`,
  });

  await settle();
  const batchEvents = Array.from({ length: BATCH }, (_, i) => npsEvent(`batch-${runTag}-${i}`));
  const t0 = performance.now();
  const res = await post('/v1/events/batch', { events: batchEvents });
  const batchSeconds = (performance.now() - t0) / 1000;
  const batchBody = (await res.json()) as { accepted?: number; failed?: number; rejected?: number };
  if (res.status !== 202 || batchBody.accepted !== BATCH)
    throw new Error(`the batch answered ${res.status} ${JSON.stringify(batchBody).slice(0, 300)}`);
  rows.push({
    name: `ours: HTTP POST /v1/events/batch (${BATCH})`,
    events: BATCH,
    seconds: batchSeconds,
    note: `one request, ${(batchSeconds * 1000).toFixed(0)} ms`,
  });

  const fmt = (x: number | undefined, d = 1) => (x === undefined ? '—' : x.toFixed(d));
  console.log(
    `\n${'path'.padEnd(42)} ${'events'.padStart(6)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'effect p50'.padStart(10)} ${'effect p99'.padStart(10)}  note`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(42)} ${String(r.events).padStart(6)} ${fmt(r.events / r.seconds, 0).padStart(9)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${fmt(r.effect50).padStart(10)} ${fmt(r.effect99).padStart(10)}  ${r.note}`,
    );
  }
  const total = (ops: Map<string, number> | undefined) => [...(ops ?? [])].reduce((a, [, n]) => a + n, 0);
  const rawFx = rows[1].ops;
  const oursOps = rows[2].ops;
  console.log(
    `\nserver persistence operations per event (the dev server's metrics, until the row's work settled): ${rows
      .filter((r) => r.ops)
      .map((r) => `${r.name} ${total(r.ops).toFixed(1)}`)
      .join('; ')}`,
  );
  const byOp = [...new Set([...(oursOps?.keys() ?? []), ...(rawFx?.keys() ?? [])])]
    .map((op) => [op, oursOps?.get(op) ?? 0, rawFx?.get(op) ?? 0] as const)
    .sort((a, b) => b[1] - a[1]);
  console.log(`${'operation'.padEnd(40)} ${'ours'.padStart(7)} ${'raw → activity'.padStart(14)}`);
  for (const [op, o, r] of byOp.filter(([, o, r]) => o >= 0.05 || r >= 0.05))
    console.log(`${op.padEnd(40)} ${o.toFixed(2).padStart(7)} ${r.toFixed(2).padStart(14)}`);
  console.log(`ratio ours/raw → activity, persistence operations per event: ${(total(oursOps) / total(rawFx)).toFixed(2)}x`);
  const rawRate = N / raw.seconds;
  console.log(`\nour answers (${N} events): ${[...outcomes].map(([o, n]) => `${o} ${(n / N).toFixed(2)}`).join(', ')} per event`);
  console.log(`Temporal calls by the API per event: ${callsPerEvent.map(([name, n]) => `${name} ${n.toFixed(2)}`).join(', ')}`);
  console.log(
    `ratio ours/raw signalWithStart: throughput ${(N / ours.seconds / rawRate).toFixed(2)}x (goal ≥ 0.9x), p50 latency ${(pct(ours.latencies, 0.5) / pct(raw.latencies, 0.5)).toFixed(2)}x, p99 latency ${(pct(ours.latencies, 0.99) / pct(raw.latencies, 0.99)).toFixed(2)}x`,
  );
  console.log(
    `ratio batch/raw throughput: ${(BATCH / batchSeconds / rawRate).toFixed(2)}x (goal ≥ 1x); batch/ours single events ${(BATCH / batchSeconds / (N / ours.seconds)).toFixed(2)}x`,
  );
  console.log(
    `ratio event → effect p99, ours/raw signal → activity: ${(pct(oursEffects, 0.99) / pct(rawEffects, 0.99)).toFixed(2)}x (goal ≤ 1.5x); p50 ${(pct(oursEffects, 0.5) / pct(rawEffects, 0.5)).toFixed(2)}x`,
  );
} finally {
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  rmSync(dataDir, { recursive: true, force: true });
}
