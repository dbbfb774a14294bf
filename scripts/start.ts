// `npm start`: the whole system on the embedded defaults: the Temporal dev server (SQLite under data/, web UI),
// the worker, the API serving the shipped journeys, and a demo that drives a generated population of customers
// through every stage in a few minutes (demo copies of the shipped journeys with a day lasting 2 seconds).
// Ctrl-C stops everything cleanly; a second `npm start` continues where the first stopped.
import { resolve, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { createTemporalClient } from '../worker/temporal-config.ts';
import { payloadProtectionFromEnv } from '../worker/data-converter.ts';
import { generateCodecKey } from '../worker/payload-codec.ts';
import type { ChildProcess } from 'node:child_process';
import { assertPortFree, freePort, startDevServer, stopServerProcess } from './dev-server.ts';
import { apiAllocator, ProcessGroup, waitForHttp, writeTemporalProfile } from './start-processes.ts';
import { workerAllocator } from '../worker/allocator.ts';
import { writeDemoJourneys } from './demo/demo-journeys.ts';
import { writeDemoContactPolicy } from './demo/demo-contact-policy.ts';
import { demoPopulation } from './demo/population.ts';
import { DemoDriver } from './demo/driver.ts';
import { operatorLinks, workflowListUrl } from './demo/ui-links.ts';
import { formatCensus, stageCensus } from './demo/stage-census.ts';
import { JOURNEYS_DIR } from '../definitions/loader.ts';

const env = process.env;
const dataDir = resolve(env.JOURNEY_DATA_DIR ?? 'data');
const temporalPort = Number(env.JOURNEY_TEMPORAL_PORT ?? 7233);
const uiPort = Number(env.JOURNEY_UI_PORT ?? 8233);
const apiPort = Number(env.JOURNEY_API_PORT ?? 3000);
const apiKey = env.JOURNEY_API_KEYS ? env.JOURNEY_API_KEYS.split(',')[0].split(':')[0] : 'dev-key';
// A key the caller set is a secret and is never printed (terminal scrollback, CI logs); the built-in dev key is
// public (it is in the README), so it is shown as it is.
const shownKey = env.JOURNEY_API_KEYS ? '<a key from JOURNEY_API_KEYS>' : apiKey;
const demoEnabled = env.JOURNEY_DEMO !== '0';
const daySeconds = Number(env.JOURNEY_DEMO_DAY_SECONDS ?? 2);
const demoCustomers = Number(env.JOURNEY_DEMO_CUSTOMERS ?? 22);
const namespace = 'default';
// Set by scripts/start.sh when `npm start` began (before installs); otherwise now.
const startedAt = Number(env.JOURNEY_START_EPOCH_MS) || Date.now();

const step = (msg: string) => console.log(`[start] ${msg}`);
const demoLog = (msg: string) => console.log(`[demo] ${msg}`);
function fail(msg: string): never {
  console.error(`[start] ${msg}`);
  process.exit(1);
}

// The dev server's process from the moment it is spawned: it runs detached (its own process group, so Ctrl-C does
// not reach it), and a Ctrl-C while it is still starting must stop it too, not leave it orphaned. Shutdown stops it
// through this process whether or not the server has answered yet.
let serverProcess: ChildProcess | undefined;
let driver: DemoDriver | undefined;
let client: ReturnType<typeof createTemporalClient> | undefined;
let census: NodeJS.Timeout | undefined;
const group = new ProcessGroup((name, code) => {
  console.error(`[start] ${name} exited unexpectedly (code ${code}); stopping everything`);
  void shutdown(1);
});

let stopping: Promise<void> | undefined;
function shutdown(code = 0): Promise<void> {
  stopping ??= (async () => {
    group.stopping = true; // Ctrl-C reaches the children too: their exit from now on is expected
    step('stopping: demo driver (progress saved), API, worker (in-flight activities finish), Temporal...');
    clearInterval(census);
    await driver?.stop();
    await group.stopAll(35_000, step);
    await client?.connection.close().catch(() => undefined);
    if (serverProcess) await stopServerProcess(serverProcess);
    step(`stopped. State is kept in ${dataDir}; npm start continues from there (rm -rf ${dataDir} to start afresh).`);
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('exit', () => {
  group.killAll();
  if (serverProcess && serverProcess.exitCode === null && serverProcess.signalCode === null) serverProcess.kill('SIGKILL');
});

const cliPath = env.TEMPORAL_CLI_PATH;
if (!cliPath) fail('TEMPORAL_CLI_PATH is not set: run `npm start` (it obtains the Temporal CLI), or set it to a temporal binary');
if (!Number.isFinite(daySeconds) || daySeconds <= 0)
  fail(`JOURNEY_DEMO_DAY_SECONDS=${env.JOURNEY_DEMO_DAY_SECONDS} must be a positive number`);
try {
  await assertPortFree(apiPort, 'journey API');
} catch (err) {
  fail(`${(err as Error).message} (set JOURNEY_API_PORT)`);
}
const metricsPort = env.JOURNEY_WORKER_METRICS_PORT
  ? Number(env.JOURNEY_WORKER_METRICS_PORT)
  : await assertPortFree(9464, 'worker metrics').then(
      () => 9464,
      () => freePort(),
    );

// Customer data is encrypted in Temporal (worker/payload-codec.ts) with a key kept in the data folder, generated on
// the first start and never printed (a caller's JOURNEY_CODEC_KEYS wins). The UI decodes through the API's codec
// endpoint; the dev server's UI sends no Authorization header, so its door is a secret token in the endpoint's path.
const codecKeys = env.JOURNEY_CODEC_KEYS || persistentSecret(join(dataDir, 'codec-keys'), () => generateCodecKey('dev1'));
let payloads;
try {
  payloads = payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: codecKeys });
} catch (err) {
  fail((err as Error).message); // JOURNEY_CODEC_KEYS (or the kept file) malformed: named, key bytes never shown
}
const codecUiToken = env.JOURNEY_CODEC_UI_TOKEN || persistentSecret(join(dataDir, 'codec-ui-token'));
step(
  `customer data is encrypted in Temporal with key "${payloads.codec!.encryptingKeyId}" (${env.JOURNEY_CODEC_KEYS ? 'JOURNEY_CODEC_KEYS' : `kept in ${dataDir}/codec-keys`}); the UI decodes it through the API`,
);

step(`starting the Temporal dev server (state in ${dataDir}/temporal.sqlite)...`);
const server = await startDevServer({
  cliPath,
  port: temporalPort,
  uiPort,
  namespace,
  uiCodecEndpoint: `http://127.0.0.1:${apiPort}/codec/ui/${codecUiToken}`,
  dbFile: join(dataDir, 'temporal.sqlite'),
  detached: true,
  onSpawn: (child) => (serverProcess = child),
}).catch((err) => fail(`${err.message} (set JOURNEY_TEMPORAL_PORT / JOURNEY_UI_PORT to use other ports)`));
step(`Temporal is up at ${server.address} after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);

let journeysDir = JOURNEYS_DIR;
// The global contact policy (cap across journeys, quiet hours, suppression cool-downs) is scaled like the journeys,
// or the demo's reminders would wait a real week; a JOURNEY_CONTACT_POLICY given by the caller is used as it is.
let contactPolicyFile = env.JOURNEY_CONTACT_POLICY;
if (demoEnabled) {
  journeysDir = join(dataDir, 'demo-journeys');
  const files = writeDemoJourneys(JOURNEYS_DIR, journeysDir, { daySeconds });
  step(
    `demo copies of ${files.length} shipped journeys written to ${journeysDir} (1 journey day = ${daySeconds}s; JOURNEY_DEMO=0 serves the shipped files as they are)`,
  );
  if (!contactPolicyFile) {
    contactPolicyFile = join(dataDir, 'demo-contact-policy.json');
    try {
      const policy = writeDemoContactPolicy(undefined, contactPolicyFile, { daySeconds });
      step(
        `demo contact policy written to ${contactPolicyFile} (${policy.frequencyCap.maxAsks} ask(s) per ${policy.frequencyCap.period} across journeys, no quiet hours)`,
      );
    } catch (err) {
      fail((err as Error).message);
    }
  }
}

// Referral codes are minted with a secret; the API refuses the public dev default. npm start keeps one generated
// secret in the data folder, so codes sent in an earlier start still resolve (a caller's own secret wins).
const referralCodeSecret = env.JOURNEY_REFERRAL_CODE_SECRET || persistentSecret(join(dataDir, 'referral-code-secret'));

const common = {
  // This dev server, as <data>/temporal.toml's default profile too: the worker and the API read that file, never the
  // caller's own temporal.toml (a Temporal Cloud login's API key would turn TLS on against this plain server).
  ...writeTemporalProfile(join(dataDir, 'temporal.toml'), { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace }),
  JOURNEY_DATA_DIR: dataDir,
  // The worker signs the unsubscribe link of every ask with a key derived from this secret, the API verifies it.
  JOURNEY_REFERRAL_CODE_SECRET: referralCodeSecret,
  // Where the links in the outbox's emails point: this API (a caller's public URL wins).
  JOURNEY_PUBLIC_URL: env.JOURNEY_PUBLIC_URL || `http://127.0.0.1:${apiPort}`,
  JOURNEY_CODEC_KEYS: codecKeys,
  ...(contactPolicyFile ? { JOURNEY_CONTACT_POLICY: contactPolicyFile } : {}),
};
const allocator = workerAllocator(env);
step(`starting the worker (metrics at http://127.0.0.1:${metricsPort}/metrics; malloc: ${allocator.note})...`);
group.run('worker', 'worker/main.ts', {
  ...common,
  ...allocator.env,
  JOURNEY_WORKER_METRICS_PORT: String(metricsPort),
  JOURNEY_LOG_LEVEL: env.JOURNEY_LOG_LEVEL ?? 'warn',
});
const apiMalloc = apiAllocator(env);
step(`starting the API (malloc: ${apiMalloc.note})...`);
const api = group.run('api', 'api/main.ts', {
  ...common,
  ...apiMalloc.env,
  JOURNEY_API_PORT: String(apiPort),
  JOURNEY_API_KEYS: env.JOURNEY_API_KEYS ?? apiKey,
  JOURNEY_JOURNEYS_DIR: journeysDir,
  JOURNEY_LOG_LEVEL: env.JOURNEY_LOG_LEVEL ?? 'warn',
  // Accepted events logged for `journey backtest --events` (a caller's folder wins; JOURNEY_EVENT_LOG= turns it off).
  JOURNEY_EVENT_LOG: env.JOURNEY_EVENT_LOG ?? join(dataDir, 'events'),
  JOURNEY_CODEC_UI_TOKEN: codecUiToken,
  // The dev server's UI, by either name of this machine.
  JOURNEY_CODEC_CORS_ORIGINS: env.JOURNEY_CODEC_CORS_ORIGINS || `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`,
});
const apiUrl = `http://127.0.0.1:${apiPort}`;
await waitForHttp(`${apiUrl}/healthz`, 60_000, () => api.exitCode === null).catch((err) => {
  console.error(`[start] the API did not come up: ${err.message}`);
  return shutdown(1);
});

const ui = server.uiUrl;
const links = operatorLinks(ui, namespace, { customerId: 'demo-001', stages: ['invite', 'activate', 'expand'] });
console.log(`
  journey-engine is up (${((Date.now() - startedAt) / 1000).toFixed(1)}s)
    Temporal UI   ${workflowListUrl(ui, namespace)}
    API           ${apiUrl}   (Authorization: Bearer ${shownKey})   docs: ${apiUrl}/docs
    Temporal      ${server.address}
    data          ${dataDir}   (SQLite, outbox, demo progress)

  Operator searches in the Temporal UI:
${links.map((l) => `    ${l.label.padEnd(48)} ${l.url}`).join('\n')}

  Send an event yourself:
    curl -s -X POST ${apiUrl}/v1/events -H 'Authorization: Bearer ${shownKey}' -H 'content-type: application/json' \\
      -d '{"id":"my-evt-1","type":"nps.submitted","customerId":"me","occurredAt":"${new Date().toISOString()}","data":{"score":10},"traits":{"email":"me@example.com","firstName":"Me"}}'

  Ctrl-C stops everything (a second npm start continues).
`);

if (demoEnabled) {
  const connection = await Connection.connect({ address: server.address });
  client = createTemporalClient(connection, { namespace, payloads });
  const population = demoPopulation(demoCustomers);
  demoLog(
    `${population.length} generated customers (demo-001 …), ${new Set(population.map((c) => c.scenario.id)).size} scenarios, events through ${apiUrl}/v1/events`,
  );
  let firstRunSeen = false;
  driver = new DemoDriver({
    apiUrl,
    apiKey,
    customers: population,
    progressFile: join(dataDir, 'demo', 'progress.json'),
    log: demoLog,
    reportEverySeconds: 10,
    report: async (s) => {
      const c = await stageCensus(client!);
      if (!firstRunSeen && c.runs > 0) {
        firstRunSeen = true;
        demoLog(`first demo run visible in the UI ${((Date.now() - startedAt) / 1000).toFixed(1)}s after npm start`);
      }
      demoLog(
        `t=${s.demoSeconds}s  events ${s.eventsSent}/${s.eventsTotal}  customers ${s.customersStarted}/${population.length}  ${formatCensus(c)}${s.refused ? `  refused ${s.refused}` : ''}`,
      );
    },
  });
  void driver.start().then(
    () => {
      // After the last event, keep showing where the runs stand while timers (reminders, holds) play out.
      census = setInterval(
        () =>
          void stageCensus(client!).then(
            (c) => demoLog(formatCensus(c)),
            () => undefined,
          ),
        30_000,
      );
    },
    (err) => demoLog(`the demo driver stopped: ${err.message}`),
  );
}

/** A random secret kept in `file` (created on the first start, owner-only), the same one on every later start. */
function persistentSecret(file: string, generate = () => randomBytes(32).toString('hex')): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = generate();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
