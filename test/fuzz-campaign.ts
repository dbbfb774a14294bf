// One fuzz campaign against the real system: the API process (api/main.ts, spawned), a real worker on the given
// Temporal server, generated HTTP requests over every route, then direct signals and updates with the official
// client, then an audit of every run the campaign touched (test/fuzz-audit.ts). Shared by `bench/fuzz.ts` (the full
// run) and test/fuzz.test.ts (a fixed-seed subset).
import { customerTaskQueueOf } from '../worker/temporal-config.ts';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createJourneyWorkers, type JourneyWorkers } from '../worker/worker.ts';
import { freePort } from '../scripts/dev-server.ts';
import { unsubscribeSecretFromEnv, unsubscribeToken } from '../activities/email/unsubscribe-link.ts';
import { JOURNEYS_DIR } from '../definitions/loader.ts';
import { sendRaw, type RawResponse } from './fuzz-http.ts';
import { generateCase, routeSpecs, type FuzzTarget } from './fuzz-requests.ts';
import { checkResponse, statusClass, type Violation } from './fuzz-checks.ts';
import { fuzzSignals, type SignalTally } from './fuzz-signals.ts';
import { auditRuns, type Audit } from './fuzz-audit.ts';
import { Rng } from './fuzz-values.ts';

export interface CampaignOptions {
  seed: number;
  requests: number;
  signals: number;
  concurrency: number;
  /** How the API process reaches Temporal (Temporal's envconfig variables: TEMPORAL_ADDRESS, and TLS files where needed). */
  temporalEnv: Record<string, string>;
  client: Client;
  workerConnection: NativeConnection;
  workflowBundle: { codePath: string } | { code: string };
  log?: (line: string) => void;
}

export interface CampaignResult {
  seed: number;
  byRoute: Record<string, Record<string, number>>;
  byMutation: Record<string, number>;
  violations: Violation[];
  signals: SignalTally;
  audit: Audit;
  seconds: number;
  apiLog: string;
  taskQueue: string;
  /** Every route the API process serves: its OpenAPI document's operations and the routes it hides from it. */
  routesServed: string[];
}

/** Routes served but hidden from the OpenAPI document (the document itself, its UI, the recipient's unsubscribe link). */
const HIDDEN_ROUTES = ['GET /openapi.json', 'GET /docs', 'GET /u/:token', 'POST /u/:token', 'POST /u/:token/undo'];

async function routesServed(port: number): Promise<string[]> {
  const doc = JSON.parse((await sendRaw('127.0.0.1', port, { method: 'GET', path: '/openapi.json', headers: {} })).body) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  return [...documented, ...HIDDEN_ROUTES];
}

const KEYS = { all: 'fuzz-all-key', ingest: 'fuzz-ingest-key', read: 'fuzz-read-key', operate: 'fuzz-ops-key' };
const SECRET = 'fuzz-referral-code-secret-0123456789';

async function startApiProcess(env: Record<string, string>, logFile: string): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const port = Number(env.JOURNEY_API_PORT);
  for (let i = 0; ; i++) {
    const res = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/healthz', headers: {} }, 2000);
    if (res.status === 200) break;
    if (child.exitCode !== null || i > 240)
      throw new Error(`the API process did not come up: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  const tag = `${o.seed.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const taskQueue = `fuzz-${tag}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'journey-fuzz-'));
  const port = await freePort();
  const env = {
    ...o.temporalEnv,
    TEMPORAL_NAMESPACE: 'default',
    JOURNEY_TASK_QUEUE: taskQueue,
    JOURNEY_API_PORT: String(port),
    JOURNEY_API_HOST: '127.0.0.1',
    JOURNEY_API_KEYS: `${KEYS.all},${KEYS.ingest}:ingest,${KEYS.read}:read,${KEYS.operate}:operate+read`,
    JOURNEY_DATA_DIR: dataDir,
    JOURNEY_POSTMARK_WEBHOOK_USER: 'postmark',
    JOURNEY_POSTMARK_WEBHOOK_PASSWORD: 'fuzz-webhook-password',
    JOURNEY_REFERRAL_CODE_SECRET: SECRET,
    JOURNEY_API_TEMPORAL_TIMEOUT_MS: '30000',
  };
  const unsubscribeSecret = unsubscribeSecretFromEnv(env);
  // As worker/main.ts: customer:<id> on the queue the API process starts it on (JOURNEY_TASK_QUEUE + "-customers").
  const worker: JourneyWorkers = await createJourneyWorkers({
    connection: o.workerConnection,
    namespace: 'default',
    taskQueue,
    customerTaskQueue: customerTaskQueueOf(taskQueue),
    activityDeps: { dataDir, customers: { client: o.client, taskQueue } },
    workflowBundle: o.workflowBundle,
  });
  const running = worker.run();
  const apiLog = join(dataDir, 'api.log');
  const api = await startApiProcess(env, apiLog);
  const customers = Array.from({ length: 8 }, (_, i) => `fz-${tag}-c${i}`);
  const journeys = ['nps-promoter-referral', 'support-praise-advocacy', 'milestone-review-ask', 'strategic-reference-advisory'];
  const target: FuzzTarget = {
    customers,
    journeys,
    keys: KEYS,
    postmark: { username: 'postmark', password: 'fuzz-webhook-password' },
    unsubscribeToken: (c, j) => unsubscribeToken(unsubscribeSecret, c, j),
    definition: JSON.parse(readFileSync(join(JOURNEYS_DIR, 'nps-promoter-referral.json'), 'utf8')) as Record<string, unknown>,
  };
  const specs = routeSpecs(target, tag);
  const byRoute: Record<string, Record<string, number>> = {};
  const byMutation: Record<string, number> = {};
  const violations: Violation[] = [];
  try {
    let next = 0;
    const lanes = Array.from({ length: o.concurrency }, async () => {
      while (next < o.requests) {
        const n = next++;
        // Each request draws from its own child generator: the same seed gives the same request n at any concurrency.
        const c = generateCase(new Rng(o.seed * 1_000_003 + n), target, specs);
        const res: RawResponse = await sendRaw('127.0.0.1', port, c.request);
        const row = (byRoute[c.route] ??= {});
        row[statusClass(res.status)] = (row[statusClass(res.status)] ?? 0) + 1;
        for (const m of c.mutation.split('+')) byMutation[m.replace(/-\d+$/, '')] = (byMutation[m.replace(/-\d+$/, '')] ?? 0) + 1;
        const v = checkResponse(c, res);
        if (v) violations.push(v);
        if (n % 1000 === 999) log(`fuzz: ${n + 1}/${o.requests} requests, ${violations.length} violations`);
      }
    });
    await Promise.all(lanes);
    log(`fuzz: ${o.requests} requests sent; now ${o.signals} direct signals and updates`);
    // Every customer of the campaign gets a run in each journey it can start, so direct signals have targets.
    for (const [i, customerId] of customers.entries()) {
      const types = ['nps.submitted', 'support.case_closed', 'milestone.reached', 'qbr.completed'];
      const data = [
        { score: 10 },
        { caseId: 'c', praise: true, csat: 5 },
        { milestone: 'go-live' },
        { sentiment: 'positive', referralIntent: true },
      ];
      await sendRaw('127.0.0.1', port, {
        method: 'POST',
        path: '/v1/events/batch',
        headers: { authorization: `Bearer ${KEYS.all}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          events: types.map((type, k) => ({
            id: `fz-seedrun-${tag}-${i}-${k}`,
            type,
            customerId,
            occurredAt: new Date().toISOString(),
            data: data[k],
            traits: { email: `${customerId}@fuzz.example`, timezone: 'Europe/Berlin' },
          })),
        }),
      });
    }
    const runs: [string, string][] = customers.flatMap((c) => journeys.map((j) => [j, c] as [string, string]));
    const signals = await fuzzSignals(o.client, new Rng(o.seed ^ 0x5eed), { runs, customers }, o.signals, tag);
    log(`fuzz: signals sent; auditing the runs on ${taskQueue}`);
    const audit = await auditRuns(o.client, taskQueue, dataDir, signals.foreignEvents, customers);
    return {
      seed: o.seed,
      byRoute,
      byMutation,
      violations,
      signals,
      audit,
      seconds: (performance.now() - started) / 1000,
      apiLog,
      taskQueue,
      routesServed: await routesServed(port),
    };
  } finally {
    await api.stop();
    worker.shutdown();
    await running;
  }
}
