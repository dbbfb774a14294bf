// The dev server `npm start`, the suite and the benches run on (scripts/dev-server.ts) is started with the options
// that keep its one SQLite connection for the workflows' own work: here, that reading the search attributes does not
// read the cluster metadata from SQLite each time (the CLI's default does, so attributes added at runtime show at
// once; ours are registered at start), and that a worker takes the activities its own workflow task schedules
// (eager activities). Counted from the server's own Prometheus metrics, and checked that a workflow started with our
// search attributes is still found by them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  freePort,
  HISTORY_QUEUE_READS,
  HISTORY_QUEUE_READS_PER_SECOND,
  persistenceRequests,
  serverCounter,
  startDevServer,
  type DevServer,
} from '../scripts/dev-server.ts';
import { readFileSync } from 'node:fs';
import { CustomerId } from '../workflows/contract/index.ts';
import { eventually } from './support/wait.ts';

describe('the dev server scripts/dev-server.ts starts', () => {
  let server: DevServer;
  let connection: Connection;
  let client: Client;
  let metricsPort: number;

  beforeAll(async () => {
    if (!process.env.TEMPORAL_CLI_PATH) throw new Error('TEMPORAL_CLI_PATH is not set: run the suite with npm test');
    metricsPort = await freePort();
    server = await startDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH,
      port: await freePort(),
      uiPort: await freePort(),
      metricsPort,
    });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  }, 60_000);
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  it('reads the search attributes from its cache, not SQLite, on each signalWithStart, and still finds runs by them', async () => {
    const N = 40;
    const tag = `dev-sa-${Date.now()}`;
    const before = await persistenceRequests(metricsPort);
    for (let i = 0; i < N; i++) {
      // No worker polls this queue: the runs only need to exist, with their search attribute.
      await client.workflow.signalWithStart('devServerProbe', {
        taskQueue: `${tag}-nobody`,
        workflowId: `${tag}-${i}`,
        signal: 'probe',
        signalArgs: [i],
        typedSearchAttributes: [{ key: CustomerId, value: `${tag}-${i}` }],
      });
    }
    // The counters are exported as the server reports them: wait until every start shows before comparing.
    const after = await eventually(
      () => persistenceRequests(metricsPort),
      (m) => (m.get('CreateWorkflowExecution') ?? 0) - (before.get('CreateWorkflowExecution') ?? 0) >= N,
    );
    const delta = (op: string) => (after.get(op) ?? 0) - (before.get(op) ?? 0);
    expect(delta('CreateWorkflowExecution')).toBeGreaterThanOrEqual(N);
    // With the CLI's default it is 3 per start here (120 seen); the server's own cache refreshes once a minute.
    expect(delta('GetCurrentClusterMetadata')).toBeLessThanOrEqual(2);

    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const run of client.workflow.list({ query: `CustomerId = "${tag}-7"` })) ids.push(run.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
    );
    expect(found).toEqual([`${tag}-7`]);
  }, 60_000);

  it('hands the activities a workflow task schedules back to the worker that scheduled them (eager), not through the task queue', async () => {
    const N = 5;
    const taskQueue = `dev-eager-${Date.now()}`;
    const before = await serverCounter(metricsPort, 'activity_eager_execution');
    const workerConnection = await NativeConnection.connect({ address: server.address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        taskQueue,
        workflowsPath: fileURLToPath(new URL('./support/eager-probe-workflow.ts', import.meta.url)),
        activities: { probeActivity: async (n: number) => n * 2 },
      });
      const results = await worker.runUntil(
        Promise.all(
          Array.from({ length: N }, (_, i) =>
            client.workflow.execute('eagerProbe', { taskQueue, workflowId: `${taskQueue}-${i}`, args: [i] }),
          ),
        ),
      );
      expect(results).toEqual([0, 2, 4, 6, 8]);
    } finally {
      await workerConnection.close();
    }
    // With the server's default (off) the counter does not move: every activity went through the queue and a poll.
    const eager = await eventually(
      () => serverCounter(metricsPort, 'activity_eager_execution'),
      (n) => n - before >= N,
    );
    expect(eager - before).toBe(N);
  }, 60_000);

  it('runs with history reading its queues of tasks 200 times a second, not 20 (the setting; its effect is in bench/README.md)', () => {
    // What the running server process was started with (Linux /proc): each key once, with our value.
    const args = readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8').split('\0');
    for (const key of HISTORY_QUEUE_READS) {
      const values = args.filter((a, i) => args[i - 1] === '--dynamic-config-value' && a.startsWith(`${key}=`));
      expect(values, key).toEqual([`${key}=${HISTORY_QUEUE_READS_PER_SECOND}`]);
    }
    expect(HISTORY_QUEUE_READS_PER_SECOND).toBeGreaterThan(20);
  });
});
