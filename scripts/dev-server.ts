// Starts the Temporal CLI's dev server (SQLite file + web UI) as a child process and waits until it answers.
// Used by `npm start` and by the test suite's global setup.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
export { freePort } from './free-port.ts';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../worker/search-attributes.ts';
import { fetchPrometheusSamples, sumSamples } from './prometheus-text.ts';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /**
   * Run in its own process group, so a terminal's Ctrl-C reaches only the parent, which then stops things in
   * order (npm start: the worker drains before the server goes). The parent must then stop it itself.
   */
  detached?: boolean;
  /**
   * Called as soon as the server process is spawned, before it answers. A parent that must be able to stop it
   * while it is still starting (npm start's Ctrl-C and exit handlers; a detached child outlives its parent) keeps
   * the process from here: the returned DevServer only exists once the server is up.
   */
  onSpawn?: (child: ChildProcess) => void;
  /** The remote codec endpoint the web UI decodes payloads with (`--ui-codec-endpoint`; see api/routes/codec.ts). */
  uiCodecEndpoint?: string;
  /** Where the server serves its Prometheus metrics (`--metrics-port`; default: a port the CLI picks). */
  metricsPort?: number;
  /** `--dynamic-config-value` pairs; default DEV_SERVER_DYNAMIC_CONFIG ([] gives the CLI's own defaults, for bench/dev-server.ts). */
  dynamicConfig?: readonly string[];
}

/** The server's dynamic config key that lets a worker take the activities its own workflow task schedules. */
export const EAGER_ACTIVITIES = 'system.enableActivityEagerExecution';

/**
 * A SQLite file in write-ahead-log mode, synced at checkpoints rather than at every commit: the server's many small
 * transactions (each workflow task, signal and timer) no longer each rewrite a rollback journal and wait for fsync.
 * A killed server loses nothing (the log is replayed when the file is opened again); only a power cut can lose the
 * last commits, which a dev server may. The production topology runs on PostgreSQL (npm run start:cluster).
 */
export const SQLITE_FILE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * How often each history shard may read its queues of tasks (the server's default: 20 reads a second per queue). A
 * read is what hands a new task on: a workflow task or an activity to matching (transfer), a timer that fired
 * (timer), a run's visibility record (visibility). History reads when a task is written, but no more often than this,
 * so at 20 a second every task written within 50 ms of the last read waits for the next. A journey event is a chain
 * of such hops (the run's first workflow task, its tracking write, the task that write wakes, customer:<id>'s), and
 * once the box wrote more than 20 tasks a second each hop waited about 50 ms: a journey run's first task waited p50
 * 50 ms for a worker that was idle, and raised to 200 it waits 0-10 ms (bench/README.md, scale, stop 49). A read
 * costs one query of the tasks table, and only when a task was written; on one box with one or four shards, 200 a
 * second per shard is far from what SQLite or PostgreSQL can serve. scripts/cluster/temporal-server.ts sets the same.
 */
export const HISTORY_QUEUE_READS_PER_SECOND = 200;
export const HISTORY_QUEUE_READS = [
  'history.transferProcessorMaxPollRPS',
  'history.timerProcessorMaxPollRPS',
  'history.visibilityProcessorMaxPollRPS',
] as const;

/**
 * The CLI's dev server re-reads the cluster metadata from SQLite on every read of the search attributes (its default
 * `system.forceSearchAttributesCacheRefreshOnRead`, so attributes added at runtime show at once). Ours are registered
 * when the server starts (`--search-attribute`) and never added later, so the server's own one-minute cache is right.
 * Off, a signalWithStart with the API's three search attributes costs 4.4 persistence operations on the server's one
 * SQLite connection, not 8.6: 3 cluster metadata reads and a namespace read fewer (bench/dev-server.ts).
 *
 * `system.enableActivityEagerExecution` (the server's default is off): an activity a workflow task schedules on the
 * worker's own queue (every journey activity: the tracking writes, the sends, the ledger's) is handed back in the
 * answer to that task when the worker has a free activity slot, instead of going through the server's task queue and
 * a poll. One persistence write fewer per activity (its start is recorded with the task's completion): 21.0 operations
 * per new customer's promoter answer instead of 22.3 (bench/ingest.ts). docs/production.md says how to set it on a
 * cluster; scripts/cluster/temporal-server.ts sets it for `npm run start:cluster`.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = [
  'system.forceSearchAttributesCacheRefreshOnRead=false',
  `${EAGER_ACTIVITIES}=true`,
  ...HISTORY_QUEUE_READS.map((key) => `${key}=${HISTORY_QUEUE_READS_PER_SECOND}`),
];

export interface DevServer {
  address: string;
  uiUrl: string;
  namespace: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Whether `port` can be bound on 127.0.0.1 now. */
export function portIsFree(port: number): Promise<boolean> {
  return assertPortFree(port, 'probe').then(
    () => true,
    () => false,
  );
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} (${what}) is already in use: stop what holds it or choose another port (${err.code})`)),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const namespace = opts.namespace ?? 'default';
  await assertPortFree(opts.port, 'Temporal frontend');
  await assertPortFree(opts.uiPort, 'Temporal UI');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...devServerSearchAttributeArgs(),
    ...(opts.dynamicConfig ?? DEV_SERVER_DYNAMIC_CONFIG).flatMap((kv) => ['--dynamic-config-value', kv]),
  ];
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.metricsPort) args.push('--metrics-port', String(opts.metricsPort));
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile, ...SQLITE_FILE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]));
  }
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  opts.onSpawn?.(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    for (const line of chunk.toString().split('\n')) if (line.trim()) opts.log?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== null) throw new Error(`the Temporal dev server exited with code ${exited} while starting:\n${output}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.describeNamespace({ namespace });
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not answer on ${address} within the timeout: ${(err as Error).message}\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    namespace,
    process: child,
    stop: () => stopServerProcess(child),
  };
}

/** The server's persistence_requests counter per operation, summed over every label set, from its Prometheus metrics
 *  (`metricsPort`): each is one turn on the dev server's one SQLite connection. */
export async function persistenceRequests(metricsPort: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { name, labels, value } of await fetchPrometheusSamples(`http://127.0.0.1:${metricsPort}/metrics`)) {
    const op = labels.operation;
    if (name === 'persistence_requests' && op) counts.set(op, (counts.get(op) ?? 0) + value);
  }
  return counts;
}

/** One counter of the server's Prometheus metrics (`metricsPort`), summed over its label sets (0 before it counts). */
export async function serverCounter(metricsPort: number, name: string): Promise<number> {
  return sumSamples(await fetchPrometheusSamples(`http://127.0.0.1:${metricsPort}/metrics`), name);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited (at once if it already has). */
export async function stopServerProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}
