// The whole system as separate processes, for the fault-injection suite (bench/chaos.ts, test/chaos-subset.test.ts),
// on one of two targets:
// - `dev`: the Temporal CLI dev server on a SQLite file, one worker process (worker/main.ts) and one API process;
// - `cluster`: the production topology of `npm run start:cluster` (scripts/cluster/): a private PostgreSQL, the
//   Temporal server built from go.temporal.io/server on it, its frontend on mutual TLS as `JOURNEY_CLUSTER_TLS=mtls`
//   puts it (every process, the server's own worker and the checks' client show a certificate of a private CA, each
//   kind its own, and each may do only what its certificate's subject is granted), two worker processes and two API
//   processes.
// Each worker and API runs under a supervisor that restarts it whenever it dies; the APIs serve demo-scaled copies of
// the shipped journeys; the Postmark-compatible server and the reward webhook receiver stand in for the providers.
// Every fault the suite injects is a method here: SIGKILL a worker or an API, stop and restart Temporal on the same
// database (the SQLite file, or PostgreSQL, which stays up), provider faults.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, stopServerProcess, type DevServer } from '../../scripts/dev-server.ts';
import { apiAllocator, launchedEnv, waitForHttp, writeTemporalProfiles } from '../../scripts/start-processes.ts';
import { ClusterDaemons } from '../../scripts/cluster/daemons.ts';
import { clusterBinaries, lowFreePorts, startTemporalOnPostgres, startTemporalServer } from '../../scripts/cluster/temporal-server.ts';
import { CLUSTER_CLIENTS, clusterFrontend, issueCertificates, mutualTlsEnv } from '../../scripts/cluster/tls.ts';
import { loadTemporalConfig } from '../../worker/temporal-config.ts';
import { workerAllocator } from '../../worker/allocator.ts';
import { importScriptExports } from '../support/script-exports.ts';
import { writeDemoJourneys } from '../../scripts/demo/demo-journeys.ts';
import { writeDemoContactPolicy } from '../../scripts/demo/demo-contact-policy.ts';
import { JOURNEYS_DIR } from '../../definitions/loader.ts';
import { startFakePostmark, type FakePostmark } from '../postmark/server.ts';
import { startRewardReceiver, type RewardReceiver } from '../rewards/receiver.ts';
import { generateCodecKey } from '../../worker/payload-codec.ts';
import { payloadProtectionFromEnv } from '../../worker/data-converter.ts';

const CODEC_KEYS = generateCodecKey('chaos1');

export const CHAOS_API_KEY = 'chaos-key';
export const POSTMARK_TOKEN = 'chaos-postmark-token';
export const WEBHOOK_AUTH = { username: 'postmark', password: 'chaos-webhook-password' };
const REWARD_SECRET = 'chaos-reward-secret';
const ROOT = resolve(import.meta.dirname, '../..');

export type ChaosTarget = 'dev' | 'cluster';

export interface ClusterOptions {
  /** `dev` (the default): the CLI's dev server, one worker, one API. `cluster`: PostgreSQL, temporal-server, two
   *  workers, two APIs (the programs from scripts/cluster/obtain-*.sh, obtained here when their variables are unset). */
  target?: ChaosTarget;
  /** The Temporal CLI (target dev). */
  cliPath?: string;
  /** How many real seconds one journey day lasts in the generated journey copies. */
  daySeconds: number;
  /** Where the database, the journey copies, the tracking logs and the process logs go (default: a new temp dir). */
  dir?: string;
  log?: (line: string) => void;
}

export interface Cluster {
  target: ChaosTarget;
  dir: string;
  /** The first API; `apiUrls` has every one (the traffic spreads over them, as a load balancer would). */
  apiUrl: string;
  apiUrls: string[];
  taskQueue: string;
  postmark: FakePostmark;
  rewards: RewardReceiver;
  /** A client for reading runs (it reconnects by itself after a Temporal restart). */
  client: Client;
  counts: {
    workerKills: number;
    workerStarts: number;
    workerExits: number;
    apiKills: number;
    apiStarts: number;
    apiExits: number;
    temporalRestarts: number;
  };
  temporalUp(): boolean;
  /** SIGKILL a worker process now (the workers in turn); its supervisor starts a new one at once. */
  killWorker(): Promise<void>;
  /** SIGKILL an API process now (the APIs in turn); its supervisor starts a new one at once. */
  killApi(): Promise<void>;
  /** Until every worker process polls its task queue. */
  waitWorkerPolling(timeoutMs?: number): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  close(): Promise<void>;
}

/** Runs a node script of this repository as its own process, its output appended to a log file. */
function runScript(script: string, env: Record<string, string>, logFile: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    // The run's Temporal only, never the caller's profile or API key (bench/chaos.ts runs from any shell).
    env: launchedEnv(process.env, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const write = (c: Buffer) => appendFileSync(logFile, c);
  child.stdout!.on('data', write);
  child.stderr!.on('data', write);
  return child;
}

/** Temporal for one target: started, stopped and started again on the same database. */
interface TemporalSide {
  address: string;
  /** What a process sets to reach it (Temporal's envconfig variables): the address, and on the cluster the TLS files.
   *  `env` is the operator's (the checks' client); the workers and the APIs show their own certificates on the cluster. */
  env: Record<string, string>;
  callers: Record<'worker' | 'api', Record<string, string>>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good (and PostgreSQL with it). */
  close(): Promise<void>;
}

async function devTemporal(cliPath: string | undefined, dir: string, log: (line: string) => void): Promise<TemporalSide> {
  if (!cliPath) throw new Error('the dev target needs the Temporal CLI (cliPath)');
  const dbFile = join(dir, 'temporal.sqlite');
  const port = await freePort();
  const uiPort = await freePort();
  const startServer = () =>
    startDevServer({
      cliPath,
      port,
      uiPort,
      dbFile,
      log: (line) => appendFileSync(join(dir, 'logs', 'temporal.log'), `${line}\n`),
      startTimeoutMs: 90_000,
    });
  let server: DevServer | undefined = await startServer();
  log(`temporal dev server at ${server.address}, database ${dbFile}`);
  return {
    address: server.address,
    env: { TEMPORAL_ADDRESS: server.address },
    callers: { worker: { TEMPORAL_ADDRESS: server.address }, api: { TEMPORAL_ADDRESS: server.address } },
    async stop() {
      const s = server;
      server = undefined;
      await s?.stop();
    },
    async start() {
      server ??= await startServer();
    },
    close: async () => server?.stop(),
  };
}

/** The programs of the production topology: from the environment, or obtained as `npm run start:cluster` does. */
function obtainClusterPrograms(): void {
  for (const [variable, script] of [
    ['TEMPORAL_SERVER_PATH', 'scripts/cluster/obtain-temporal-server.sh'],
    ['JOURNEY_PG_BIN', 'scripts/cluster/obtain-postgres.sh'],
  ] as const) {
    if (process.env[variable]) continue;
    importScriptExports(script);
  }
}

async function clusterTemporal(dir: string, log: (line: string) => void): Promise<TemporalSide> {
  obtainClusterPrograms();
  const binaries = clusterBinaries(process.env, "the chaos suite's cluster target obtains them with scripts/cluster/obtain-*.sh");
  const home = join(dir, 'cluster');
  mkdirSync(home, { recursive: true });
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
  chmodSync(home, 0o755);
  // Temporal keeps membership ports in a smallint: every port below 32768 (lowFreePorts).
  const [pgPort, frontendPort, ...internalPorts] = await lowFreePorts(11);
  const say = (line: string) => appendFileSync(join(dir, 'logs', 'temporal.log'), `${line}\n`);
  // A run that ends without close() kills temporal-server and the postmaster on its way out (both are detached).
  const daemons = new ClusterDaemons(join(home, 'postgres', 'pgdata'));
  const stopAll = () => daemons.stop(log);
  // Mutual TLS and authorization by certificate subject, as the production topology runs them
  // (JOURNEY_CLUSTER_TLS=mtls): a restart of the server means every client's TLS again.
  const certs = issueCertificates(join(home, 'tls'), 'temporal-frontend', { clients: [...CLUSTER_CLIENTS] });
  const tlsEnv = mutualTlsEnv(certs, 'operator');
  const { tls: frontendTls, authorization } = clusterFrontend(certs, 'default');
  const tls = { tls: frontendTls, authorization, credentials: { tls: loadTemporalConfig(tlsEnv).connectionOptions.tls } };
  try {
    const started = await startTemporalOnPostgres({
      binaries,
      dir: home,
      pgPort,
      frontendPort,
      internalPorts,
      namespace: 'default',
      historyShards: 4,
      log: say,
      onPostgres: (pg) => (daemons.postgres = pg),
      onSpawn: (child) => (daemons.server = child),
      ...tls,
    });
    log(`temporal-server at ${started.address} on PostgreSQL 127.0.0.1:${pgPort} (${home}), mutual TLS`);
    return {
      address: started.address,
      env: { TEMPORAL_ADDRESS: started.address, ...tlsEnv },
      callers: {
        worker: { TEMPORAL_ADDRESS: started.address, ...mutualTlsEnv(certs, 'worker') },
        api: { TEMPORAL_ADDRESS: started.address, ...mutualTlsEnv(certs, 'api') },
      },
      stop: () => daemons.stopServer(),
      async start() {
        if (daemons.server) return;
        await startTemporalServer({
          serverPath: binaries.serverPath,
          sqlToolPath: binaries.sqlToolPath,
          schemaDir: binaries.schemaDir,
          postgres: daemons.postgres!,
          dir: join(home, 'temporal'),
          frontendPort,
          internalPorts,
          namespace: 'default',
          historyShards: 4,
          log: say,
          onSpawn: (child) => (daemons.server = child),
          ...tls,
        });
      },
      close: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

/** A process restarted by its supervisor whenever it dies (systemd Restart=always), until the cluster closes. */
class Supervised {
  child: ChildProcess;
  /** The worker has logged that it polls (workers only). */
  polling = false;
  constructor(
    private readonly start: () => ChildProcess,
    private readonly restarting: () => boolean,
    private readonly onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
  ) {
    this.child = this.run();
  }
  private run(): ChildProcess {
    this.polling = false;
    const child = this.start();
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('polling task queue')) this.polling = true;
    });
    child.once('exit', (code, signal) => {
      if (!this.restarting()) return;
      this.onExit(code, signal);
      // A short pause so a process that cannot start does not spin.
      setTimeout(() => {
        if (this.restarting()) this.child = this.run();
      }, 500);
    });
    return child;
  }
  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  /** SIGKILL now; false when it was not running (between a death and its restart). */
  async kill(): Promise<boolean> {
    const victim = this.child;
    if (victim.exitCode !== null || victim.signalCode !== null) return false;
    const gone = new Promise((r) => victim.once('exit', r));
    victim.kill('SIGKILL');
    await gone;
    return true;
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => undefined);
  const target = opts.target ?? 'dev';
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'chaos-'));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const journeysDir = join(dir, 'journeys');
  const scale = { daySeconds: opts.daySeconds };
  writeDemoJourneys(JOURNEYS_DIR, journeysDir, scale);
  const contactPolicyFile = join(dir, 'contact-policy.json');
  writeDemoContactPolicy(undefined, contactPolicyFile, scale);

  const temporal = target === 'cluster' ? await clusterTemporal(dir, log) : await devTemporal(opts.cliPath, dir, log);
  // What started so far, stopped in reverse when a later step fails (a process that never came up, a port taken).
  const undo: Array<() => Promise<unknown>> = [() => temporal.close()];
  try {
    return await startProcesses(target, dir, journeysDir, contactPolicyFile, temporal, undo, log);
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    throw err;
  }
}

async function startProcesses(
  target: ChaosTarget,
  dir: string,
  journeysDir: string,
  contactPolicyFile: string,
  temporal: TemporalSide,
  undo: Array<() => Promise<unknown>>,
  log: (line: string) => void,
): Promise<Cluster> {
  let temporalUp = true;
  const processCount = target === 'cluster' ? 2 : 1;
  const postmark = await startFakePostmark({ serverTokens: [POSTMARK_TOKEN] });
  undo.push(() => postmark.close());
  const rewards = await startRewardReceiver(REWARD_SECRET);
  undo.push(() => rewards.close());
  const taskQueue = 'journeys';
  // Each kind of process its profile of the run's own temporal.toml (on the cluster, its own client certificate).
  const inNamespace = (vars: Record<string, string>) => ({ ...vars, TEMPORAL_NAMESPACE: 'default' });
  const profiles = writeTemporalProfiles(join(dir, 'temporal.toml'), {
    default: inNamespace(temporal.env),
    worker: inNamespace(temporal.callers.worker),
    api: inNamespace(temporal.callers.api),
  });
  const common = {
    JOURNEY_TASK_QUEUE: taskQueue,
    // One data folder for every process, as on the production topology: one tracking log per process.
    JOURNEY_DATA_DIR: join(dir, 'data'),
    JOURNEY_REFERRAL_CODE_SECRET: 'chaos-referral-code-secret-0123456789',
    JOURNEY_PUBLIC_URL: 'https://journeys.chaos.example',
    // Real sending is production mode: payloads are encrypted in Temporal, and the checks read runs with the same keys.
    JOURNEY_CODEC_KEYS: CODEC_KEYS,
    JOURNEY_CONTACT_POLICY: contactPolicyFile,
    JOURNEY_LOG_LEVEL: 'warn',
  };

  const counts = { workerKills: 0, workerStarts: 0, workerExits: 0, apiKills: 0, apiStarts: 0, apiExits: 0, temporalRestarts: 0 };
  let closing = false;
  const name = (kind: string, i: number) => (processCount === 1 ? kind : `${kind}-${i + 1}`);
  // As on the cluster, the workers there run with jemalloc where it is installed (worker/allocator.ts).
  const workerMalloc = target === 'cluster' ? workerAllocator(process.env).env : {};
  const apiMalloc = target === 'cluster' ? apiAllocator(process.env).env : {};
  /** A process of this repository under its own supervisor, its output in logs/<label>.log. */
  const supervise = (label: string, script: string, env: Record<string, string>, started: () => void, exitedByItself = () => {}) =>
    new Supervised(
      () => {
        started();
        return runScript(script, { ...common, ...env }, join(dir, 'logs', `${label}.log`));
      },
      () => !closing,
      (code, signal) => {
        if (signal === 'SIGKILL') return;
        exitedByItself();
        log(`${label} exited by itself (${code ?? signal}); restarting it`);
      },
    );
  const workers = Array.from({ length: processCount }, (_, i) =>
    supervise(
      name('worker', i),
      'worker/main.ts',
      {
        ...profiles.worker,
        ...workerMalloc,
        JOURNEY_LOG_LEVEL: 'WARN',
        POSTMARK_SERVER_TOKEN: POSTMARK_TOKEN,
        POSTMARK_API_URL: postmark.url,
        JOURNEY_REWARD_WEBHOOK_URL: rewards.url,
        JOURNEY_REWARD_WEBHOOK_SECRET: REWARD_SECRET,
        JOURNEY_UNSUBSCRIBE_SECRET: 'chaos-unsubscribe-secret-0123456789',
      },
      () => counts.workerStarts++,
      () => counts.workerExits++,
    ),
  );

  const apiPorts = await Promise.all(Array.from({ length: processCount }, () => freePort()));
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const apis = apiPorts.map((port, i) =>
    supervise(
      name('api', i),
      'api/main.ts',
      {
        ...profiles.api,
        ...apiMalloc,
        JOURNEY_API_PORT: String(port),
        JOURNEY_API_KEYS: CHAOS_API_KEY,
        JOURNEY_JOURNEYS_DIR: journeysDir,
        JOURNEY_POSTMARK_WEBHOOK_USER: WEBHOOK_AUTH.username,
        JOURNEY_POSTMARK_WEBHOOK_PASSWORD: WEBHOOK_AUTH.password,
        JOURNEY_API_TEMPORAL_TIMEOUT_MS: '4000',
      },
      () => counts.apiStarts++,
      () => counts.apiExits++,
    ),
  );
  const stopProcesses = async () => {
    closing = true;
    for (const p of [...workers, ...apis]) await stopServerProcess(p.child, 5000);
  };
  undo.push(stopProcesses);
  for (const [i, url] of apiUrls.entries()) await waitForHttp(`${url}/healthz`, 90_000, () => apis[i].alive());
  const connection = await Connection.connect(loadTemporalConfig(temporal.env).connectionOptions);
  undo.push(() => connection.close());
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: CODEC_KEYS }).dataConverter,
  });

  const waitWorkerPolling = async (timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!workers.every((w) => w.polling)) {
      if (Date.now() > deadline) throw new Error(`the workers did not all poll within ${timeoutMs / 1000}s (see ${dir}/logs/worker*.log)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await waitWorkerPolling();
  log(
    `${processCount === 1 ? 'worker polling, API' : `${processCount} workers polling, APIs`} at ${apiUrls.join(', ')}; logs in ${dir}/logs`,
  );

  let nextWorker = 0;
  let nextApi = 0;
  return {
    target,
    dir,
    apiUrl: apiUrls[0],
    apiUrls,
    taskQueue,
    postmark,
    rewards,
    client,
    counts,
    temporalUp: () => temporalUp,
    async killWorker() {
      if (await workers[nextWorker++ % workers.length].kill()) counts.workerKills++;
    },
    async killApi() {
      if (await apis[nextApi++ % apis.length].kill()) counts.apiKills++;
    },
    waitWorkerPolling,
    async stopTemporal() {
      if (!temporalUp) return;
      temporalUp = false;
      await temporal.stop();
    },
    async startTemporal() {
      if (temporalUp) return;
      await temporal.start();
      temporalUp = true;
      counts.temporalRestarts++;
    },
    async close() {
      await stopProcesses();
      await connection.close().catch(() => undefined);
      await postmark.close();
      await rewards.close();
      await temporal.close();
    },
  };
}
