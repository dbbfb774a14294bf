// The tracking log under real process faults, on the dev server: worker processes killed with SIGKILL in the middle
// of a write, several processes appending to one folder, a folder that cannot be read. Each time, read while the
// runs live: every fact is in the log exactly once by key, the report counts each once, and the webhook forwarder
// delivers each key once to the receiver.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startScript, type RunningNode } from './support/run-node.ts';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { trackingDir } from '../activities/tracking/log-files.ts';
import { TrackingWebhookForwarder } from '../activities/tracking/webhook-forwarder.ts';
import { runKpiReport } from '../reports/engine/kpi-engine.ts';
import { freePort } from '../scripts/dev-server.ts';
import {
  JOURNEY_WORKFLOW_TYPE,
  journeyEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
  type JourneyEvent,
} from '../workflows/contract/index.ts';
import { connectDevServer, sharedTemporalEnv, terminateRunsOn, uniqueTaskQueue, type DevServerClients } from './support/temporal.ts';
import { shippedPlan } from './interpreter/harness.ts';
import { waitFor } from './support/wait.ts';

/** An analytics receiver that keeps every delivery, so repeats would show. */
async function startReceiver(): Promise<{ url: string; keys: string[]; close(): Promise<void> }> {
  const keys: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.push(String(req.headers['idempotency-key']));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/t`,
    keys,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const traits = (id: string) => ({ email: `${id}@customer.example`, firstName: id, timezone: 'UTC', healthScore: 90, segment: 'smb' });
const nps = (id: string, score: number): JourneyEvent => ({
  id: `${id}-nps`,
  type: 'nps.submitted',
  customerId: id,
  occurredAt: new Date().toISOString(),
  data: { score },
  traits: traits(id),
});

/** Lines per key over every file (raw, before any reader drops a repeat), ignoring torn lines. */
function rawKeyCounts(dataDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of readdirSync(trackingDir(dataDir)).filter((n) => n.endsWith('.ndjson'))) {
    for (const line of readFileSync(join(trackingDir(dataDir), name), 'utf8').split('\n')) {
      try {
        const key = (JSON.parse(line) as { key: string }).key;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } catch {
        /* a torn line */
      }
    }
  }
  return counts;
}

describe('tracking under process faults (dev server, worker processes)', () => {
  let temporal: DevServerClients;
  const procs: RunningNode[] = [];
  const queues: string[] = [];
  beforeAll(async () => (temporal = await connectDevServer()));
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await terminateRunsOn(temporal.client, ...queues).catch(() => undefined);
    await temporal?.close();
  });

  async function drive(taskQueue: string, customers: Array<[string, number]>) {
    const plan = await shippedPlan('nps-promoter-referral');
    for (const [id, score] of customers) {
      await temporal.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
        workflowId: journeyWorkflowId(plan.journeyId, id),
        taskQueue,
        args: [{ plan, customerId: id }],
        signal: journeyEventSignal,
        signalArgs: [nps(id, score)],
      });
    }
    return plan;
  }

  it('a worker killed with SIGKILL in the middle of a write loses and duplicates nothing; the forwarder sends each key once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracking-kill-'));
    const taskQueue = uniqueTaskQueue('tracking-kill');
    queues.push(taskQueue);
    const env = {
      ...sharedTemporalEnv('worker'),
      JOURNEY_TASK_QUEUE: taskQueue,
      JOURNEY_DATA_DIR: dataDir,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    };
    const receiver = await startReceiver();
    const forwarder = new TrackingWebhookForwarder({ dataDir, url: receiver.url, pollMs: 100 });
    forwarder.start();
    try {
      const first = startScript('test/tracking/faulty-worker.ts', { ...env, TRACKING_FAULT: 'tear-and-hang' });
      procs.push(first);
      await waitFor('the first worker', () => first.output().includes('READY'), 90_000);
      const customers: Array<[string, number]> = [
        ['kill-a', 10],
        ['kill-b', 8],
        ['kill-c', 3],
      ];
      const plan = await drive(taskQueue, customers);
      await waitFor('a write torn in the middle', () => first.output().includes('MID-FLUSH'), 120_000);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = startScript('test/tracking/faulty-worker.ts', env);
      procs.push(second);
      await waitFor('the second worker', () => second.output().includes('READY'), 90_000);

      // The promoter's run picks up where it was, on the second worker: its first ask is planned.
      const promoter = temporal.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, 'kill-a'));
      await waitFor(
        'the promoter to wait for its ask',
        async () => ((await promoter.query(journeyStateQuery)) as { stage: string }).stage === 'invite',
        90_000,
      );
      const want = [
        'kill-a:nps.received',
        'kill-a:delight',
        'kill-a:qualified',
        'kill-b:nps.received',
        // A passive answer cannot open a cycle: heard and recorded as such (patch journey-records-unapplied-events).
        'kill-b:event.ignored',
        'kill-c:nps.received',
        'kill-c:suppressed',
      ];
      const read = await waitFor(
        'every fact in the log',
        async () => {
          const r = await readTrackingLog(dataDir);
          const have = r.records.map((x) => `${x.customerId}:${x.type}`);
          return want.every((w) => have.includes(w)) ? r : undefined;
        },
        180_000,
      );
      // Exactly the facts, each once: in the files themselves, not only after the reader drops repeats.
      expect(read.records.map((x) => `${x.customerId}:${x.type}`).sort()).toEqual(expect.arrayContaining(want.sort()));
      expect(
        read.records
          .filter((x) => !['ask.moved'].includes(x.type))
          .map((x) => `${x.customerId}:${x.type}`)
          .sort(),
      ).toEqual(want.sort());
      expect([...rawKeyCounts(dataDir).values()].every((n) => n === 1)).toBe(true);
      expect(read.duplicates).toBe(0);
      // The killed process's file ends in the torn line it left (its records were written again by the second process).
      expect(read.files).toHaveLength(2);
      expect(read.badLines).toHaveLength(1);
      expect(read.badLines[0]).toMatch(new RegExp(`-${first.child.pid}\\.ndjson:\\d+$`));

      await waitFor('the forwarder to deliver every record', () => receiver.keys.length >= read.records.length, 30_000);
      expect([...receiver.keys].sort()).toEqual(read.records.map((r) => r.key).sort());
    } finally {
      await forwarder.stop();
      await receiver.close();
    }
  }, 300_000);

  it('two worker processes append to one folder: a folder that cannot be read shows in state, details and metrics, never holds a journey, and heals; each is counted exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracking-two-'));
    const taskQueue = uniqueTaskQueue('tracking-two');
    queues.push(taskQueue);
    // Something named like a log that cannot be read: every tracking write fails until it is gone.
    const blocker = join(trackingDir(dataDir), 'blocked.ndjson');
    mkdirSync(blocker, { recursive: true });
    const metricsPorts = [await freePort(), await freePort()];
    const workers = metricsPorts.map((port) =>
      startScript('worker/main.ts', {
        ...sharedTemporalEnv('worker'),
        JOURNEY_TASK_QUEUE: taskQueue,
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_WORKER_METRICS_PORT: String(port),
        JOURNEY_LOG_LEVEL: 'warn',
      }),
    );
    procs.push(...workers);
    await waitFor('both workers polling', () => workers.every((w) => /polling task queue/.test(w.output())), 120_000);
    const customers: Array<[string, number]> = Array.from({ length: 16 }, (_, i) => [`two-${i}`, [10, 9, 8, 2][i % 4]]);
    const plan = await drive(taskQueue, customers);

    // The journeys go on (promoters wait for their ask) while their records wait in the runs, and operators see why.
    const promoter = temporal.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, 'two-0'));
    const held = await waitFor(
      'the promoter in Invite with unwritten records',
      async () => {
        const s = (await promoter.query(journeyStateQuery)) as {
          stage: string;
          pendingTracking: number;
          trackingProblem?: { reason: string };
        };
        return s.stage === 'invite' && s.trackingProblem ? s : undefined;
      },
      60_000,
    );
    expect(held.pendingTracking).toBeGreaterThanOrEqual(3);
    expect(held.trackingProblem!.reason).toMatch(/EISDIR/);
    const meta = (await promoter.query('__temporal_workflow_metadata')) as { currentDetails: string };
    expect(meta.currentDetails).toMatch(
      /^- tracking not written: \d+ records wait in this run · \d+ failed tr(y|ies) since .*EISDIR.* · trying again at /m,
    );
    const scrape = async () =>
      (await Promise.all(metricsPorts.map(async (p) => (await fetch(`http://127.0.0.1:${p}/metrics`)).text()))).join('\n');
    const metrics = await waitFor('the failures on the metrics endpoints', async () => {
      const m = await scrape();
      const failures = /^journey_tracking_write_failures\w*\{[^}]*code="EISDIR"[^}]*\} [1-9]/m.test(m);
      const deferred = /^journey_tracking_writes_deferred\w*\{[^}]*journey="nps-promoter-referral"[^}]*\} [1-9]/m.test(m);
      return failures && deferred ? m : undefined;
    });
    expect(metrics).not.toMatch(/^journey_tracking_records_written\w*\{[^}]*\} [1-9]/m);
    // The report says what is wrong rather than showing numbers without the unreadable part.
    await expect(readTrackingLog(dataDir)).rejects.toThrow(/EISDIR/);

    // The folder reads again: at the writers' next try every record goes out, once, with no restart.
    rmdirSync(blocker);
    const want = customers.length + customers.filter(([, s]) => s >= 9).length * 2 + customers.filter(([, s]) => s <= 6).length;
    const read = await waitFor(
      'every record written',
      async () => {
        const r = await readTrackingLog(dataDir);
        return r.records.filter((x) => ['nps.received', 'delight', 'qualified', 'suppressed'].includes(x.type)).length >= want
          ? r
          : undefined;
      },
      120_000,
    );
    expect(read.files).toHaveLength(2); // one file per worker process
    expect(read.duplicates).toBe(0);
    expect([...rawKeyCounts(dataDir).values()].every((n) => n === 1)).toBe(true);
    const report = await runKpiReport(dataDir, { kpis: ['promoter-rate', 'qualified-customers'] });
    expect(report.groups.map((g) => g.values)).toEqual([{ 'promoter-rate': 0.5, 'qualified-customers': 8 }]);
    const s = (await promoter.query(journeyStateQuery)) as { trackingProblem?: unknown; pendingTracking: number };
    expect(s.trackingProblem).toBeUndefined();
    expect(s.pendingTracking).toBe(0);
  }, 400_000);
});
