// The system bench/scale.ts drives, as separate processes so each one's RSS and CPU can be read from /proc:
//   dev:     the Temporal CLI's dev server (SQLite file), our worker (worker/main.ts), our API (api/main.ts)
//   cluster: `npm run start:cluster` (scripts/cluster/start-cluster.ts): PostgreSQL, temporal-server, 2 workers, 2 APIs
// plus the raw baseline's worker (bench/scale-raw-worker.ts) on the same server. Everything on 127.0.0.1, stopped at the end.
import { workerAllocator } from '../worker/allocator.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startDevServer, stopServerProcess } from '../scripts/dev-server.ts';
import { freeClusterPorts } from '../scripts/cluster/ports.ts';
import { apiAllocator, launchedEnv, ProcessGroup, waitForHttp, writeTemporalProfile } from '../scripts/start-processes.ts';
import { diskBytes } from './scale-measure.ts';

export const API_KEY = 'bench-scale-key';

export interface ScaleTopology {
  target: 'dev' | 'cluster';
  temporalAddress: string;
  /** What a process sets to reach Temporal (envconfig variables): the address, and with JOURNEY_CLUSTER_TLS=mtls the
   *  cluster's TLS files, so the raw baseline and the bench's own client go through TLS as our processes do. */
  temporalEnv: Record<string, string>;
  apiUrls: string[];
  /** Where our workers write their tracking logs. */
  dataDir: string;
  workerPids: () => number[];
  /** Our API processes (read again each time: the cluster's supervisor restarts one that dies). */
  apiPids: () => number[];
  serverPid?: number;
  rawWorkerPid: number;
  rawTaskQueue: string;
  rawEffectFile: string;
  /** Bytes the server's database takes on disk (SQLite file with its WAL, or the PostgreSQL data folder). */
  databaseBytes: () => number;
  /** The server's Prometheus metrics (the dev server's, or the cluster's temporal-server's). */
  serverMetricsUrl?: string;
  /** The server's JSON log (the cluster's temporal-server.log; the dev server's is not kept). */
  serverLogFile?: string;
  /** Our workers' Prometheus endpoints (the SDK's metrics: bench/scale-measure.ts, workerTaskTimes). */
  workerMetricsUrls: () => string[];
  /** Our workers' and APIs' WARN and ERROR lines since the last call (the SDK core's included), by kind: the process
   *  kind and the message with numbers and ids blanked, so one kind of warning counts once however often it comes. */
  takeProblems: () => Map<string, number>;
  stop(): Promise<void>;
}

/** Counts the WARN / ERROR lines a process (or the cluster's launcher, which prefixes each child's lines) prints. */
class ProblemLines {
  private counts = new Map<string, number>();
  watch(child: ChildProcess, defaultName: string): void {
    let partial = '';
    const onData = (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!/\[(WARN|ERROR)\]/.test(line)) continue;
        const who = /^\[(worker|api)[^\]]*\]/.exec(line)?.[1] ?? defaultName;
        const what = line
          .replace(/^\[[^\]]*\]\s*/, '')
          .replace(/^\S+ \S+ /, '') // the logger's date and time
          .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<id>')
          .replace(/\d+/g, 'N')
          .slice(0, 200);
        const key = `${who}: ${what}`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }
  take(): Map<string, number> {
    const out = this.counts;
    this.counts = new Map();
    return out;
  }
}

/** How much of a starting process's output `waitForLine` keeps: enough for a ready line split across chunks. */
const WAIT_FOR_LINE_TAIL = 64 * 1024;

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Only the tail is kept, and only while waiting: the launcher writes for as long as the bench runs.
    let output = '';
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what} did not start within ${timeoutMs / 1000}s:\n${output.slice(-3000)}`));
    }, timeoutMs);
    const onData = (c: Buffer) => {
      output = (output + c.toString()).slice(-WAIT_FOR_LINE_TAIL);
      if (pattern.test(output)) {
        done();
        resolve(output);
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${what} exited (${code}) while starting:\n${output.slice(-3000)}`));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function startRawWorker(temporalEnv: Record<string, string>, dir: string, stops: Array<() => Promise<unknown>>) {
  const rawTaskQueue = `bench-scale-raw-${process.pid}`;
  const rawEffectFile = join(dir, 'raw-effects.ndjson');
  const raw = spawn(process.execPath, ['--import', 'tsx', 'bench/scale-raw-worker.ts'], {
    // The same malloc as our workers, so the RSS ratio compares workers, not allocators.
    env: launchedEnv(process.env, {
      ...workerAllocator(process.env).env,
      ...temporalEnv,
      RAW_TASK_QUEUE: rawTaskQueue,
      RAW_EFFECT_FILE: rawEffectFile,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stops.unshift(() => stopServerProcess(raw, 30_000));
  await waitForLine(raw, /READY/, 180_000, 'the raw baseline worker');
  return { rawWorkerPid: raw.pid!, rawTaskQueue, rawEffectFile };
}

export async function startScaleTopology(target: 'dev' | 'cluster', dir: string, log: (l: string) => void): Promise<ScaleTopology> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops) await s().catch((err: Error) => log(`while stopping: ${err.message}`));
  };
  try {
    if (target === 'cluster') {
      const dataDir = join(dir, 'cluster');
      chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
      // The documented command's script: it obtains the Temporal server and PostgreSQL first, then execs the launcher.
      const launcher = spawn('bash', ['scripts/cluster/start-cluster.sh'], {
        env: {
          ...process.env,
          JOURNEY_DATA_DIR: dataDir,
          JOURNEY_API_KEYS: API_KEY,
          ...(await freeClusterPorts()),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      stops.unshift(() => stopServerProcess(launcher, 120_000));
      log('starting the cluster (npm run start:cluster)...');
      await waitForLine(launcher, /journey-engine cluster is up/, 900_000, 'the cluster');
      const problems = new ProblemLines();
      problems.watch(launcher, 'cluster');
      const info = () =>
        JSON.parse(readFileSync(join(dataDir, 'processes.json'), 'utf8')) as {
          temporalAddress: string;
          temporalEnv: Record<string, string>;
          temporalServerPid: number;
          temporalMetricsUrl?: string;
          postgres: { pgdata: string };
          processes: Array<{ name: string; pid: number; url?: string; metricsPort?: number }>;
        };
      const first = info();
      const raw = await startRawWorker(first.temporalEnv, dir, stops);
      return {
        target,
        temporalAddress: first.temporalAddress,
        temporalEnv: first.temporalEnv,
        apiUrls: first.processes.filter((p) => p.url).map((p) => p.url!),
        dataDir,
        workerPids: () =>
          info()
            .processes.filter((p) => p.name.startsWith('worker'))
            .map((p) => p.pid),
        apiPids: () =>
          info()
            .processes.filter((p) => p.name.startsWith('api'))
            .map((p) => p.pid),
        workerMetricsUrls: () =>
          info()
            .processes.filter((p) => p.name.startsWith('worker') && p.metricsPort)
            .map((p) => `http://127.0.0.1:${p.metricsPort}/metrics`),
        serverPid: first.temporalServerPid,
        ...(first.temporalMetricsUrl ? { serverMetricsUrl: first.temporalMetricsUrl } : {}),
        serverLogFile: join(dataDir, 'temporal', 'temporal-server.log'),
        ...raw,
        databaseBytes: () => diskBytes(first.postgres.pgdata),
        takeProblems: () => problems.take(),
        stop,
      };
    }
    const cliPath = process.env.TEMPORAL_CLI_PATH;
    if (!cliPath) throw new Error('TEMPORAL_CLI_PATH is not set: eval "$(bash scripts/obtain-temporal.sh cli)" first');
    const dbFile = join(dir, 'temporal.sqlite');
    log('starting the dev server (SQLite file), our worker and our API...');
    const metricsPort = await freePort();
    const server = await startDevServer({ cliPath, port: await freePort(), uiPort: await freePort(), metricsPort, dbFile, detached: true });
    stops.unshift(() => server.stop());
    const group = new ProcessGroup((name, code) => log(`${name} exited unexpectedly (${code}): the figures after this are not valid`));
    stops.unshift(() => group.stopAll(60_000, log));
    // The processes read this file, never the caller's profile (launchedEnv: a Temporal Cloud login's key would
    // turn TLS on against the dev server).
    const temporalEnv = writeTemporalProfile(join(dir, 'temporal.toml'), { TEMPORAL_ADDRESS: server.address });
    const common = {
      ...temporalEnv,
      JOURNEY_DATA_DIR: dir,
      // As npm run start:cluster runs them: warnings (the SDK core's included) reach the bench's count of problems.
      JOURNEY_LOG_LEVEL: 'warn',
      JOURNEY_REFERRAL_CODE_SECRET: randomBytes(32).toString('hex'),
    };
    // The worker's malloc as npm start chooses it (worker/allocator.ts): the figures are the shipped launcher's.
    const allocator = workerAllocator(process.env);
    log(`our worker's malloc: ${allocator.note}`);
    const workerMetricsPort = await freePort();
    const worker = group.run('worker', 'worker/main.ts', {
      ...common,
      ...allocator.env,
      JOURNEY_WORKER_METRICS_PORT: String(workerMetricsPort),
    });
    const workerReady = waitForLine(worker, /polling task queue/, 180_000, 'our worker');
    const problems = new ProblemLines();
    problems.watch(worker, 'worker');
    const apiPort = await freePort();
    const apiMalloc = apiAllocator(process.env);
    log(`our API's malloc: ${apiMalloc.note}`);
    const api = group.run('api', 'api/main.ts', {
      ...common,
      ...apiMalloc.env,
      JOURNEY_API_PORT: String(apiPort),
      JOURNEY_API_KEYS: API_KEY,
    });
    problems.watch(api, 'api');
    await waitForHttp(`http://127.0.0.1:${apiPort}/healthz`, 180_000, () => api.exitCode === null);
    await workerReady;
    const raw = await startRawWorker(temporalEnv, dir, stops);
    return {
      target,
      temporalAddress: server.address,
      temporalEnv,
      apiUrls: [`http://127.0.0.1:${apiPort}`],
      dataDir: dir,
      workerPids: () => [worker.pid!],
      workerMetricsUrls: () => [`http://127.0.0.1:${workerMetricsPort}/metrics`],
      apiPids: () => [api.pid!],
      serverPid: server.process.pid,
      serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      ...raw,
      databaseBytes: () => ['', '-wal', '-shm'].reduce((sum, ext) => sum + (existsSync(dbFile + ext) ? diskBytes(dbFile + ext) : 0), 0),
      takeProblems: () => problems.take(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
