// Nothing in the tracking log that no committed history holds. A worker process writes a run's first records and is
// SIGKILLed before its workflow task completes (short workflow task timeout, dev server); the escalation's resolution
// then arrives, so the retried task on a second worker sees one event more and takes another path. The log must hold
// exactly the records of the run's committed history: one record per sequence number, one delight and one
// qualification for the one NPS answer, and every key one the history's writes carry. Before patch
// tracking-written-after-commit the first worker's local activity had written nps.received … ask.held ("not while
// open") in the task that never committed, and the retry wrote suppression.resolved, delight, qualified, ask.held
// under other sequence numbers: two delights for one answer and an ask.held that never happened.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { trackingDir } from '../activities/tracking/log-files.ts';
import {
  JOURNEY_WORKFLOW_TYPE,
  journeyEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
  type JourneyEvent,
  type TrackingRecord,
} from '../workflows/contract/index.ts';
import { connectDevServer, sharedTemporalEnv, terminateRunsOn, uniqueTaskQueue, type DevServerClients } from './support/temporal.ts';
import { shippedPlan } from './interpreter/harness.ts';
import { waitFor } from './support/wait.ts';

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<NodeJS.Signals | null>;
}

function startWorker(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/tracking/faulty-worker.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return { child, output: () => output, exited: new Promise((r) => child.once('exit', (_code, signal) => r(signal))) };
}

const customer = `commit-${Date.now().toString(36)}`;
const traits = { email: `${customer}@customer.example`, firstName: 'Kim', timezone: 'UTC', healthScore: 90, segment: 'smb' };
const at = () => new Date().toISOString();
const events = {
  nps: { id: `${customer}-nps`, type: 'nps.submitted', customerId: customer, occurredAt: at(), data: { score: 10 }, traits },
  opened: { id: `${customer}-esc-open`, type: 'escalation.opened', customerId: customer, occurredAt: at(), data: { escalationId: 'T-7' } },
} satisfies Record<string, JourneyEvent>;

/** The sequence number a record's key ends in (`<workflowId>:<chainId>:<cycle>:<type>:<n>`). */
const seqOf = (r: TrackingRecord) => Number(r.key!.split(':').at(-1));

/** Every line of the folder's files for one workflow id, before any reader drops a repeat. */
function rawKeys(dataDir: string, workflowId: string): string[] {
  const keys: string[] = [];
  for (const name of readdirSync(trackingDir(dataDir)).filter((n) => n.endsWith('.ndjson')))
    for (const line of readFileSync(join(trackingDir(dataDir), name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const key = (JSON.parse(line) as TrackingRecord).key!;
      if (key.startsWith(`${workflowId}:`)) keys.push(key);
    }
  return keys;
}

describe('tracking records only of committed workflow tasks (dev server, worker processes)', () => {
  let temporal: DevServerClients;
  const procs: Proc[] = [];
  const taskQueue = uniqueTaskQueue('tracking-commit');
  beforeAll(async () => (temporal = await connectDevServer()));
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await terminateRunsOn(temporal.client, taskQueue).catch(() => undefined);
    await temporal?.close();
  });

  it('a task lost after its tracking write leaves no record in the log; its retry, seeing the resolution too, writes its own path once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracking-commit-'));
    const env = {
      ...sharedTemporalEnv('worker'),
      JOURNEY_TASK_QUEUE: taskQueue,
      JOURNEY_DATA_DIR: dataDir,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    };
    const plan = await shippedPlan('nps-promoter-referral');
    const workflowId = journeyWorkflowId(plan.journeyId, customer);
    // Both events wait on the server before any worker polls: the first task sees the answer and the open escalation.
    await temporal.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      workflowTaskTimeout: '4 seconds',
      args: [{ plan, customerId: customer }],
      signal: journeyEventSignal,
      signalArgs: [events.nps],
    });
    const run = temporal.client.workflow.getHandle(workflowId);
    await run.signal(journeyEventSignal, events.opened);

    const first = startWorker({ ...env, TRACKING_FAULT: 'die-after-write' });
    procs.push(first);
    expect(await first.exited).toBe('SIGKILL');
    expect(first.output()).toContain('WROTE-THEN-DIES');
    // What the dead worker wrote: the answer's records, in the log before its process died.
    expect(rawKeys(dataDir, workflowId).some((k) => k.includes(':delight:'))).toBe(true);

    // The resolution arrives while no worker runs: a retried first task sees it in the same activation.
    await run.signal(journeyEventSignal, {
      id: `${customer}-esc-resolved`,
      type: 'escalation.resolved',
      customerId: customer,
      occurredAt: at(),
      data: { escalationId: 'T-7' },
    } satisfies JourneyEvent);
    procs.push(startWorker(env));

    // Read while the run lives: the resolution is tracked and nothing is left to write.
    await waitFor(
      'the resolution tracked and the queue written',
      async () => {
        const keys = rawKeys(dataDir, workflowId);
        const state = await run.query(journeyStateQuery);
        return keys.some((k) => k.includes(':suppression.resolved:')) && state.pendingTracking === 0 ? true : undefined;
      },
      150_000,
      500,
    );
    const records = (await readTrackingLog(dataDir)).records.filter((r) => r.key!.startsWith(`${workflowId}:`));
    const keys = rawKeys(dataDir, workflowId);
    const count = (type: string) => records.filter((r) => r.type === type).length;

    // Each key once in the files, and one record per sequence number, 1..n without a gap (a phantom shares its number
    // with the record the committed path wrote there: on 1.1.0 before the patch, 3: delight and suppression.resolved).
    expect(new Set(keys).size).toBe(keys.length);
    const bySeq = new Map<number, string[]>();
    for (const r of records) bySeq.set(seqOf(r), [...(bySeq.get(seqOf(r)) ?? []), r.type]);
    expect([...bySeq].filter(([, types]) => types.length > 1)).toEqual([]);
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: bySeq.size }, (_, i) => i + 1));
    // One NPS answer: one delight, one qualification.
    expect({ nps: count('nps.received'), delight: count('delight'), qualified: count('qualified') }).toEqual({
      nps: 1,
      delight: 1,
      qualified: 1,
    });

    // Exactly the records the committed history's writes carry.
    const history = await run.fetchHistory();
    const committed = (history.events ?? []).flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      if (a?.activityType?.name !== 'recordTrackingBatch') return [];
      return defaultPayloadConverter.fromPayload<TrackingRecord[]>(a.input!.payloads![0]).map((r) => r.key!);
    });
    expect([...new Set(committed)].sort()).toEqual([...keys].sort());
  }, 240_000);
});
