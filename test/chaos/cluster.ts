// The whole system as separate processes, for the fault-injection suite (bench/chaos.ts, test/chaos-subset.test.ts):
// the Temporal CLI dev server on a SQLite file, the real worker process (worker/main.ts) under a supervisor that
// restarts it whenever it dies, the real API process (api/main.ts) serving demo-scaled copies of the shipped
// journeys, the Postmark-compatible server and the reward webhook receiver. Every fault the suite injects is a
// method here: SIGKILL the worker, stop and restart Temporal on the same database file, provider faults.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, stopServerProcess, type DevServer } from '../../scripts/dev-server.ts';
import { waitForHttp } from '../../scripts/start-processes.ts';
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

export interface ClusterOptions {
  cliPath: string;
  /** How many real seconds one journey day lasts in the generated journey copies. */
  daySeconds: number;
  /** Where the SQLite file, the journey copies, the tracking logs and the process logs go (default: a new temp dir). */
  dir?: string;
  log?: (line: string) => void;
}

export interface Cluster {
  dir: string;
  apiUrl: string;
  taskQueue: string;
  postmark: FakePostmark;
  rewards: RewardReceiver;
  /** A client for reading runs (it reconnects by itself after a Temporal restart). */
  client: Client;
  counts: { workerKills: number; workerStarts: number; workerExits: number; temporalRestarts: number };
  temporalUp(): boolean;
  /** SIGKILL the worker process now; the supervisor starts a new one at once. */
  killWorker(): Promise<void>;
  waitWorkerPolling(timeoutMs?: number): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  close(): Promise<void>;
}

/** Runs a node script of this repository as its own process, its output appended to a log file. */
function runScript(script: string, env: Record<string, string>, logFile: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const write = (c: Buffer) => appendFileSync(logFile, c);
  child.stdout!.on('data', write);
  child.stderr!.on('data', write);
  return child;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => undefined);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'chaos-'));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const dbFile = join(dir, 'temporal.sqlite');
  const journeysDir = join(dir, 'journeys');
  const scale = { daySeconds: opts.daySeconds };
  writeDemoJourneys(JOURNEYS_DIR, journeysDir, scale);
  const contactPolicyFile = join(dir, 'contact-policy.json');
  writeDemoContactPolicy(undefined, contactPolicyFile, scale);

  const temporalPort = await freePort();
  const uiPort = await freePort();
  const startServer = () =>
    startDevServer({
      cliPath: opts.cliPath,
      port: temporalPort,
      uiPort,
      dbFile,
      log: (line) => appendFileSync(join(dir, 'logs', 'temporal.log'), `${line}\n`),
      startTimeoutMs: 90_000,
    });
  let server: DevServer | undefined = await startServer();
  log(`temporal dev server at ${server.address}, database ${dbFile}`);

  const postmark = await startFakePostmark({ serverTokens: [POSTMARK_TOKEN] });
  const rewards = await startRewardReceiver(REWARD_SECRET);
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const taskQueue = 'journeys';
  const common = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    JOURNEY_TASK_QUEUE: taskQueue,
    JOURNEY_DATA_DIR: join(dir, 'data'),
    JOURNEY_REFERRAL_CODE_SECRET: 'chaos-referral-code-secret-0123456789',
    JOURNEY_PUBLIC_URL: 'https://journeys.chaos.example',
    // Real sending is production mode: payloads are encrypted in Temporal, and the checks read runs with the same keys.
    JOURNEY_CODEC_KEYS: CODEC_KEYS,
    JOURNEY_CONTACT_POLICY: contactPolicyFile,
    JOURNEY_LOG_LEVEL: 'warn',
  };

  const counts = { workerKills: 0, workerStarts: 0, workerExits: 0, temporalRestarts: 0 };
  let closing = false;
  let worker: ChildProcess | undefined;
  let polling = false;
  const startWorker = () => {
    counts.workerStarts++;
    polling = false;
    const child = runScript(
      'worker/main.ts',
      {
        ...common,
        JOURNEY_LOG_LEVEL: 'WARN',
        POSTMARK_SERVER_TOKEN: POSTMARK_TOKEN,
        POSTMARK_API_URL: postmark.url,
        JOURNEY_REWARD_WEBHOOK_URL: rewards.url,
        JOURNEY_REWARD_WEBHOOK_SECRET: REWARD_SECRET,
        JOURNEY_UNSUBSCRIBE_SECRET: 'chaos-unsubscribe-secret-0123456789',
      },
      join(dir, 'logs', 'worker.log'),
    );
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('polling task queue')) polling = true;
    });
    child.once('exit', (code, signal) => {
      if (closing) return;
      if (signal !== 'SIGKILL') {
        counts.workerExits++;
        log(`worker exited by itself (${code ?? signal}); restarting it`);
      }
      // A supervisor (systemd, Kubernetes) starts it again; a short pause so a worker that cannot start does not spin.
      setTimeout(() => {
        if (!closing) worker = startWorker();
      }, 500);
    });
    return child;
  };
  worker = startWorker();

  const api = runScript(
    'api/main.ts',
    {
      ...common,
      JOURNEY_API_PORT: String(apiPort),
      JOURNEY_API_KEYS: CHAOS_API_KEY,
      JOURNEY_JOURNEYS_DIR: journeysDir,
      JOURNEY_POSTMARK_WEBHOOK_USER: WEBHOOK_AUTH.username,
      JOURNEY_POSTMARK_WEBHOOK_PASSWORD: WEBHOOK_AUTH.password,
      JOURNEY_API_TEMPORAL_TIMEOUT_MS: '4000',
    },
    join(dir, 'logs', 'api.log'),
  );
  await waitForHttp(`${apiUrl}/healthz`, 90_000, () => api.exitCode === null);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: CODEC_KEYS }).dataConverter,
  });

  const waitWorkerPolling = async (timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!polling) {
      if (Date.now() > deadline) throw new Error(`the worker did not poll within ${timeoutMs / 1000}s (see ${dir}/logs/worker.log)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await waitWorkerPolling();
  log(`worker polling, API at ${apiUrl}; logs in ${dir}/logs`);

  return {
    dir,
    apiUrl,
    taskQueue,
    postmark,
    rewards,
    client,
    counts,
    temporalUp: () => server !== undefined,
    async killWorker() {
      const victim = worker;
      if (!victim || victim.exitCode !== null || victim.signalCode !== null) return;
      const gone = new Promise((r) => victim.once('exit', r));
      victim.kill('SIGKILL');
      counts.workerKills++;
      await gone;
    },
    waitWorkerPolling,
    async stopTemporal() {
      if (!server) return;
      const s = server;
      server = undefined;
      await s.stop();
    },
    async startTemporal() {
      if (server) return;
      server = await startServer();
      counts.temporalRestarts++;
    },
    async close() {
      closing = true;
      const w = worker;
      if (w) await stopServerProcess(w, 5000);
      await stopServerProcess(api, 5000);
      await connection.close().catch(() => undefined);
      await postmark.close();
      await rewards.close();
      await server?.stop();
    },
  };
}
