// Benchmark: what one event costs the Temporal server, by event type: workflows started, signals delivered, events
// not routed, and every Temporal call the API made for it (counted on the API's own connection). The same realistic
// mix of events (NPS answers of every kind, milestones, support, payments, escalations, actions, conversions) for K
// customers, posted one at a time to the real API with the shipped journeys, so each event's calls are its own.
// No worker is needed: routing is what is measured (runs that start simply wait for a worker).
// Bounded: K ≤ 500 customers, about 10 events each. Run before and after a routing change on the same machine:
//   eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/routing.ts [K]   (or BENCH_ROUTING_K)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer } from '../scripts/dev-server.ts';
import { countWorkflowServiceCalls } from '../scripts/count-service-calls.ts';
import { buildApi } from '../api/server.ts';
import { parseApiKeys } from '../api/auth.ts';
import { PlanRegistry } from '../api/registry.ts';
import { loadJourneyDir } from '../definitions/loader.ts';

const K = Math.max(1, Math.min(500, Math.floor(Number(process.argv[2] ?? process.env.BENCH_ROUTING_K ?? 40)) || 40));
const cliPath = process.env.TEMPORAL_CLI_PATH;
if (!cliPath) {
  console.error('TEMPORAL_CLI_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh cli)"  first');
  process.exit(2);
}

/** A seeded generator, so before and after see the very same events. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

type Draft = { type: string; data: Record<string, unknown>; label: string };

/** About ten events of one customer's weeks, in order: what a B2B backend sends. */
function customerEvents(rand: () => number, i: number, referrer: string): Draft[] {
  const score = Math.floor(rand() * 11);
  const nps = (s: number): Draft => ({
    type: 'nps.submitted',
    data: { score: s },
    label: `nps.submitted (${s >= 9 ? 'promoter' : s >= 7 ? 'passive' : 'detractor'})`,
  });
  const out: Draft[] = [nps(score)];
  const milestone = rand() < 0.5 ? 'go-live' : 'feature-adopted';
  out.push({
    type: 'milestone.reached',
    data: { milestone },
    label: `milestone.reached (${milestone === 'go-live' ? 'listed' : 'other'})`,
  });
  const praise = rand() < 0.3;
  out.push({
    type: 'support.case_closed',
    data: { caseId: `C-${i}`, praise },
    label: `support.case_closed (${praise ? 'praise' : 'no praise'})`,
  });
  const csat = 1 + Math.floor(rand() * 5);
  out.push({ type: 'csat.submitted', data: { score: csat }, label: `csat.submitted (${csat === 5 ? '5' : '<5'})` });
  if (rand() < 0.2) out.push({ type: 'payment.failed', data: { invoiceId: `I-${i}` }, label: 'payment.failed (suppression)' });
  if (rand() < 0.15) {
    out.push({ type: 'escalation.opened', data: { escalationId: `E-${i}` }, label: 'escalation.opened (suppression)' });
    out.push({ type: 'escalation.resolved', data: { escalationId: `E-${i}` }, label: 'escalation.resolved (suppression)' });
  }
  if (rand() < 0.3) out.push({ type: 'review.posted', data: { site: 'g2', rating: 5 }, label: 'review.posted (action)' });
  if (rand() < 0.2)
    out.push({
      type: 'deal.closed_won',
      data: { referrerId: referrer, referralId: `R-${i}`, amount: 10_000 },
      label: 'deal.closed_won (conversion)',
    });
  out.push(nps(Math.min(10, Math.max(0, score + Math.round((rand() - 0.5) * 6)))));
  return out;
}

interface Tally {
  events: number;
  started: number;
  signalled: number;
  notRouted: number;
  customerStarted: number;
  calls: Map<string, number>;
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-routing-'));
const stops: Array<() => Promise<unknown>> = [];
try {
  console.log(`routing benchmark: ${K} customers, about 10 events each, one at a time; starting a dev server and the API...`);
  const server = await startDevServer({ cliPath, port: await freePort(), uiPort: await freePort() });
  stops.unshift(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  stops.unshift(() => connection.close());
  // Count every call the API makes to Temporal, by method (the API has this connection to itself).
  const { calls } = countWorkflowServiceCalls(connection.workflowService);
  const client = new Client({ connection, namespace: server.namespace });
  const registry = new PlanRegistry(() => loadJourneyDir());
  if (!(await registry.reload()).applied) throw new Error('the shipped journeys do not compile');
  const api = await buildApi({
    client,
    taskQueue: `bench-routing-${randomUUID().slice(0, 8)}`,
    apiKeys: parseApiKeys('k:ingest'),
    registry,
    dataDir,
  });
  stops.unshift(() => api.close());

  const rand = random(16);
  const tag = randomUUID().slice(0, 6);
  const byLabel = new Map<string, Tally>();
  const total: Tally = { events: 0, started: 0, signalled: 0, notRouted: 0, customerStarted: 0, calls: new Map() };
  for (let c = 0; c < K; c++) {
    const customerId = `r-${tag}-${c}`;
    for (const draft of customerEvents(rand, c, `r-${tag}-${(c + K - 1) % K}`)) {
      const before = new Map(calls);
      const res = await api.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: 'Bearer k' },
        payload: { id: randomUUID(), type: draft.type, customerId, occurredAt: new Date().toISOString(), data: draft.data },
      });
      if (res.statusCode !== 202) throw new Error(`${draft.type} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      const body = res.json() as { journeys: Array<{ outcome: string }>; customer: { outcome: string } };
      for (const t of [
        byLabel.get(draft.label) ?? { events: 0, started: 0, signalled: 0, notRouted: 0, customerStarted: 0, calls: new Map() },
        total,
      ]) {
        t.events++;
        t.started += body.journeys.filter((j) => j.outcome === 'started').length;
        t.signalled += body.journeys.filter((j) => j.outcome === 'signalled').length;
        t.notRouted += body.journeys.filter((j) => j.outcome === 'not-routed').length;
        t.customerStarted += body.customer.outcome === 'started' ? 1 : 0;
        for (const [name, n] of calls) {
          const d = n - (before.get(name) ?? 0);
          if (d > 0) t.calls.set(name, (t.calls.get(name) ?? 0) + d);
        }
        if (t !== total) byLabel.set(draft.label, t);
      }
    }
  }

  const short: Record<string, string> = {
    signalWithStartWorkflowExecution: 'sws',
    signalWorkflowExecution: 'signal',
    describeWorkflowExecution: 'describe',
    getSystemInfo: 'sysinfo',
  };
  const per = (n: number, t: Tally) => (n / t.events).toFixed(2);
  const callText = (t: Tally) =>
    [...t.calls]
      .sort()
      .map(([name, n]) => `${short[name] ?? name} ${per(n, t)}`)
      .join(', ');
  const callsPerEvent = (t: Tally) =>
    per(
      [...t.calls.values()].reduce((a, b) => a + b, 0),
      t,
    );
  console.log(
    `\n${'event type'.padEnd(36)} ${'events'.padStart(6)} ${'journey runs started'.padStart(20)} ${'signalled'.padStart(9)} ${'not routed'.padStart(10)} ${'Temporal calls'.padStart(14)}  by call (per event)`,
  );
  for (const [label, t] of [...byLabel].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `${label.padEnd(36)} ${String(t.events).padStart(6)} ${per(t.started, t).padStart(20)} ${per(t.signalled, t).padStart(9)} ${per(t.notRouted, t).padStart(10)} ${callsPerEvent(t).padStart(14)}  ${callText(t)}`,
    );
  }
  console.log(
    `${'all events'.padEnd(36)} ${String(total.events).padStart(6)} ${per(total.started, total).padStart(20)} ${per(total.signalled, total).padStart(9)} ${per(total.notRouted, total).padStart(10)} ${callsPerEvent(total).padStart(14)}  ${callText(total)}`,
  );
  console.log(
    `\nworkflows started per event (journey runs + customer:<id>): ${per(total.started + total.customerStarted, total)}; journey runs open at the end: ${total.started} for ${K} customers`,
  );
} finally {
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  rmSync(dataDir, { recursive: true, force: true });
}
