// `npm run start:cluster`: the engine on a production-shaped Temporal topology on one box: a private PostgreSQL,
// the Temporal server built from go.temporal.io/server on it (SQL visibility, our search attributes), two worker
// processes on one task queue and two API processes, each on its own port. A process that dies is restarted, as a
// supervisor would (systemd Restart=always): its work waits in Temporal meanwhile. Ctrl-C / SIGTERM stops the APIs,
// then the workers (in-flight activities finish), then Temporal, then PostgreSQL. State stays in the data folder.
// JOURNEY_CLUSTER_TLS=mtls puts the frontend on mutual TLS (certificates from a private CA kept in <data>/tls): every
// process, the server's own worker included, shows a client certificate of its kind, and may do only what that
// certificate's subject is granted (clusterCallerPermissions). <data>/temporal.env says how to reach it.
// The Temporal Web UI runs beside it (TEMPORAL_UI_SERVER_PATH, built by obtain-temporal-ui.sh), decoding payloads
// through API 1's codec endpoint; without the binary the cluster starts without a UI and says so.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { assertPortFree, freePort, stopServerProcess } from '../dev-server.ts';
import { apiAllocator, ProcessGroup, TEMPORAL_ENVCONFIG_NAMES, waitForHttp, writeTemporalProfiles } from '../start-processes.ts';
import type { PostgresCluster } from './postgres.ts';
import { clusterBinaries, startTemporalOnPostgres, stickyLowFreePorts, type ClusterBinaries, type FrontendTls } from './temporal-server.ts';
import { ClusterProcesses } from './cluster-processes.ts';
import { waitForPollers } from './wait-for-pollers.ts';
import { workerAllocator } from '../../worker/allocator.ts';
import { generateCodecKey } from '../../worker/payload-codec.ts';
import { loadTemporalConfig } from '../../worker/temporal-config.ts';
import {
  CLUSTER_CLIENTS,
  clusterFrontend,
  issueCertificates,
  mutualTlsEnv,
  readOperatorGrants,
  type ClusterClient,
  type IssuedCertificates,
} from './tls.ts';
import { writeTemporalUiConfig } from './temporal-ui.ts';

const env = process.env;
const dataDir = resolve(env.JOURNEY_DATA_DIR ?? 'data/cluster');
const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
const taskQueue = env.JOURNEY_TASK_QUEUE ?? 'journeys';
const temporalPort = Number(env.JOURNEY_CLUSTER_TEMPORAL_PORT ?? 7333);
const pgPort = Number(env.JOURNEY_CLUSTER_PG_PORT ?? 55432);
const apiPorts = (env.JOURNEY_CLUSTER_API_PORTS ?? '3100,3101').split(',').map(Number);
const workerCount = Number(env.JOURNEY_CLUSTER_WORKERS ?? 2);
const tlsMode = env.JOURNEY_CLUSTER_TLS || 'off';
const tlsServerName = env.JOURNEY_CLUSTER_TLS_SERVER_NAME || 'temporal-frontend';
const uiPort = Number(env.JOURNEY_CLUSTER_UI_PORT ?? 8333);
const uiServerPath = env.TEMPORAL_UI_SERVER_PATH;
const startTimeoutMs = Number(env.JOURNEY_CLUSTER_START_TIMEOUT_S ?? 600) * 1000;
const apiKey = env.JOURNEY_API_KEYS ? env.JOURNEY_API_KEYS.split(',')[0].split(':')[0] : 'dev-key';
const shownKey = env.JOURNEY_API_KEYS ? '<a key from JOURNEY_API_KEYS>' : apiKey;
const startedAt = Date.now();

const step = (msg: string) => console.log(`[cluster] ${msg}`);
function fail(msg: string): never {
  console.error(`[cluster] ${msg}`);
  process.exit(1);
}
let binaries: ClusterBinaries;
try {
  binaries = clusterBinaries(env, 'run `npm run start:cluster` (it obtains the Temporal server and PostgreSQL)');
} catch (err) {
  fail((err as Error).message);
}
if (apiPorts.length < 1 || apiPorts.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
  fail(`JOURNEY_CLUSTER_API_PORTS=${env.JOURNEY_CLUSTER_API_PORTS} must be comma-separated ports`);
if (!Number.isInteger(workerCount) || workerCount < 1) fail(`JOURNEY_CLUSTER_WORKERS=${env.JOURNEY_CLUSTER_WORKERS} must be >= 1`);
if (tlsMode !== 'off' && tlsMode !== 'mtls') fail(`JOURNEY_CLUSTER_TLS=${tlsMode} must be off or mtls`);

let postgres: PostgresCluster | undefined;
let serverProcess: ChildProcess | undefined;
let client: Client | undefined;
const processes = new ClusterProcesses(join(dataDir, 'processes.json'));
const group = new ProcessGroup((name, code) => processes.onUnexpectedExit(name, code));

let stopping: Promise<void> | undefined;
function shutdown(code = 0): Promise<void> {
  stopping ??= (async () => {
    processes.stopping = true;
    group.stopping = true;
    step('stopping: APIs, then workers (in-flight activities finish), then Temporal, then PostgreSQL...');
    await group.stopAll(35_000, step);
    await client?.connection.close().catch(() => undefined);
    if (serverProcess) await stopServerProcess(serverProcess, 20_000);
    if (serverProcess) step('temporal-server stopped');
    await postgres?.stop().catch((err: Error) => step(`PostgreSQL did not stop cleanly: ${err.message}`));
    processes.clear();
    step(`stopped. State is kept in ${dataDir}; npm run start:cluster continues from there.`);
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
// The start is bounded: whatever step hangs, the launcher gives up, says where, and stops what it started.
const startDeadline = setTimeout(() => {
  console.error(`[cluster] not up within ${startTimeoutMs / 1000}s (JOURNEY_CLUSTER_START_TIMEOUT_S): stopping`);
  void shutdown(1);
}, startTimeoutMs);

try {
  for (const [port, what] of [
    [temporalPort, 'Temporal frontend (JOURNEY_CLUSTER_TEMPORAL_PORT)'],
    [pgPort, 'PostgreSQL (JOURNEY_CLUSTER_PG_PORT)'],
    ...apiPorts.map((p) => [p, 'journey API (JOURNEY_CLUSTER_API_PORTS)'] as const),
    ...(uiServerPath ? [[uiPort, 'Temporal UI (JOURNEY_CLUSTER_UI_PORT)'] as const] : []),
  ] as const)
    await assertPortFree(port, what);
  mkdirSync(dataDir, { recursive: true });
  let certs: IssuedCertificates | undefined;
  let frontend: { tls: FrontendTls; authorization: string } | undefined;
  if (tlsMode === 'mtls') {
    certs = issueCertificates(join(dataDir, 'tls'), tlsServerName, { clients: [...CLUSTER_CLIENTS] });
    step(
      certs.issued.length
        ? `mutual TLS: issued ${certs.issued.join(', ')} certificate(s) in ${certs.dir} (a private CA; replace the files with your own PKI's to use it)`
        : `mutual TLS: the certificates in ${certs.dir} reused`,
    );
    const grantsFile = join(dataDir, 'authorization.json');
    const operatorGrants = readOperatorGrants(grantsFile);
    const { bySubject, ...served } = clusterFrontend(certs, namespace, operatorGrants);
    frontend = served;
    step(
      `authorization by certificate subject: ${Object.entries(bySubject)
        .map(([subject, granted]) => `${subject} ${granted.join(' ') || '(nothing)'}`)
        .join('; ')}; any other certificate may call nothing`,
    );
    if (Object.keys(operatorGrants).length) step(`authorization: ${Object.keys(operatorGrants).join(', ')} as ${grantsFile} says`);
  }
  // How each kind of process reaches this Temporal (Temporal's envconfig variables): the profiles of
  // <data>/temporal.toml, the one file they read (launchedEnv: never the caller's). With mutual TLS each shows its own
  // client certificate. `default` is the operator's (temporal.env, processes.json) and the launcher's own calls.
  const reach = (client: ClusterClient) => ({
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: namespace,
    ...(certs ? mutualTlsEnv(certs, client) : {}),
  });
  const profiles = writeTemporalProfiles(join(dataDir, 'temporal.toml'), {
    default: reach('operator'),
    worker: reach('worker'),
    api: reach('api'),
  });
  const temporalEnv = profiles.default;
  const { connectionOptions } = loadTemporalConfig(temporalEnv);
  const server = await startTemporalOnPostgres({
    binaries,
    dir: dataDir,
    pgPort,
    frontendPort: temporalPort,
    internalPorts: await stickyLowFreePorts(join(dataDir, 'temporal', 'ports.json'), 9),
    namespace,
    historyShards: Number(env.JOURNEY_CLUSTER_HISTORY_SHARDS ?? 4),
    log: step,
    onPostgres: (pg) => (postgres = pg),
    onSpawn: (child) => (serverProcess = child),
    ...(frontend ? { ...frontend, credentials: { tls: connectionOptions.tls } } : {}),
  });
  serverProcess!.once('exit', (code, signal) => {
    if (!processes.stopping) {
      console.error(`[cluster] temporal-server exited unexpectedly (${code ?? signal}); stopping everything`);
      void shutdown(1);
    }
  });
  step(`Temporal is up at ${server.address} after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);

  const referralCodeSecret = env.JOURNEY_REFERRAL_CODE_SECRET || persistentSecret(join(dataDir, 'referral-code-secret'));
  // Customer data encrypted in Temporal, as npm start does (a caller's JOURNEY_CODEC_KEYS wins): with real sending
  // (POSTMARK_SERVER_TOKEN) the worker and the API refuse to start without it (definitions/production-mode.ts).
  const codecKeys = env.JOURNEY_CODEC_KEYS || persistentSecret(join(dataDir, 'codec-keys'), () => generateCodecKey('cluster1'));
  // The UI decodes through API 1's codec endpoint; the browser sends no Authorization header, so its door is a secret
  // token in the endpoint's path (as npm start's).
  const codecUiToken = env.JOURNEY_CODEC_UI_TOKEN || persistentSecret(join(dataDir, 'codec-ui-token'));
  const common = {
    JOURNEY_TASK_QUEUE: taskQueue,
    // One data folder for every process: the tracking logs (one file per process) and the outbox that
    // `journey report` and `journey outbox` read. On several machines: a shared volume, or the tracking webhook.
    JOURNEY_DATA_DIR: dataDir,
    JOURNEY_REFERRAL_CODE_SECRET: referralCodeSecret,
    JOURNEY_CODEC_KEYS: codecKeys,
    JOURNEY_PUBLIC_URL: env.JOURNEY_PUBLIC_URL || `http://127.0.0.1:${apiPorts[0]}`,
    JOURNEY_LOG_LEVEL: env.JOURNEY_LOG_LEVEL ?? 'warn',
  };
  const allocator = workerAllocator(env);
  step(`workers' malloc: ${allocator.note}`);
  for (let i = 1; i <= workerCount; i++) {
    const metricsPort = await freePort();
    processes.supervise(
      group,
      `worker-${i}`,
      'worker/main.ts',
      { ...common, ...profiles.worker, ...allocator.env, JOURNEY_WORKER_METRICS_PORT: String(metricsPort) },
      { metricsPort },
    );
  }
  const apiMalloc = apiAllocator(env);
  step(`APIs' malloc: ${apiMalloc.note}`);
  const apis = apiPorts.map((port, i) =>
    processes.supervise(
      group,
      `api-${i + 1}`,
      'api/main.ts',
      {
        ...common,
        ...profiles.api,
        ...apiMalloc.env,
        JOURNEY_API_PORT: String(port),
        JOURNEY_API_KEYS: env.JOURNEY_API_KEYS ?? apiKey,
        JOURNEY_CODEC_UI_TOKEN: codecUiToken,
        JOURNEY_CODEC_CORS_ORIGINS: env.JOURNEY_CODEC_CORS_ORIGINS || `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`,
      },
      { url: `http://127.0.0.1:${port}` },
    ),
  );
  for (const [i, port] of apiPorts.entries())
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, startTimeoutMs, () => apis[i]().exitCode === null);
  // Up means both workers poll the task queue, not only that their processes exist.
  let uiUrl: string | undefined;
  if (uiServerPath) {
    const args = writeTemporalUiConfig({
      dir: join(dataDir, 'ui'),
      port: uiPort,
      temporalAddress: server.address,
      namespace,
      codecEndpoint: `http://127.0.0.1:${apiPorts[0]}/codec/ui/${codecUiToken}`,
      certs,
      client: 'ui',
    });
    // No `url` in its processes.json entry: readers take the entries with one for the APIs.
    const ui = processes.supervise(group, 'ui', { command: uiServerPath, args }, {});
    uiUrl = `http://127.0.0.1:${uiPort}`;
    await waitForHttp(uiUrl, startTimeoutMs, () => ui().exitCode === null);
  } else step('no Temporal UI: TEMPORAL_UI_SERVER_PATH is not set (scripts/cluster/obtain-temporal-ui.sh builds it)');
  const connection = await Connection.connect(connectionOptions);
  client = new Client({ connection, namespace });
  await waitForPollers(client.workflowService, { namespace, taskQueue, want: workerCount, timeoutMs: startTimeoutMs });
  clearTimeout(startDeadline);
  const envFile = writeTemporalEnvFile(temporalEnv);
  processes.write({
    temporalAddress: server.address,
    temporalEnv,
    temporalServerPid: serverProcess!.pid,
    temporalMetricsUrl: server.metricsUrl,
    ...(uiUrl ? { temporalUiUrl: uiUrl } : {}),
    namespace,
    taskQueue,
    dataDir,
    postgres: { port: pgPort, pgdata: server.postgres.pgdata },
  });

  const apiLines = apiPorts
    .map((p, i) => `    API ${i + 1}         http://127.0.0.1:${p}   (Authorization: Bearer ${shownKey})   docs: /docs`)
    .join('\n');
  console.log(`
  journey-engine cluster is up (${((Date.now() - startedAt) / 1000).toFixed(1)}s)
${apiLines}
    Temporal      ${server.address}  (temporal-server ${binaries.serverPath}, namespace "${namespace}", SQL visibility${certs ? ', mutual TLS' : ''})
                  source ${envFile} to reach it with the temporal CLI or journey CLI${certs ? ' (its client certificate)' : ''}
    Temporal UI   ${uiUrl ? `${uiUrl}   (payloads decoded through API 1)` : 'none (TEMPORAL_UI_SERVER_PATH not set)'}
    PostgreSQL    127.0.0.1:${pgPort}  (private cluster in ${server.postgres.pgdata}, role temporal)
    workers       ${workerCount} on task queue "${taskQueue}"
    data          ${dataDir}   (tracking logs, outbox; processes.json lists the pids)

  The two APIs are equal: send events to either (put a load balancer in front of them in production).
  KPI report over every worker's tracking log:   node cli/journey.mjs report --data ${dataDir}
  Ctrl-C stops everything (a second npm run start:cluster continues).
`);
} catch (err) {
  console.error(`[cluster] could not start: ${(err as Error).message}`);
  await shutdown(1);
}

/** `<data>/temporal.env`: the envconfig variables that reach this Temporal, as shell exports an operator sources. */
function writeTemporalEnvFile(vars: Record<string, string>): string {
  const file = join(dataDir, 'temporal.env');
  const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;
  const lines = Object.entries(vars).map(([k, v]) => `export ${k}=${quote(v)}`);
  // The shell's own settings of another Temporal (a Cloud API key, a profile, TLS) would override the file's.
  const others = TEMPORAL_ENVCONFIG_NAMES.filter((name) => !(name in vars));
  const unset = [`unset ${others.join(' ')}`, `unset $(env | sed -n 's/^\\(TEMPORAL_GRPC_META_[A-Za-z0-9_]*\\)=.*/\\1/p')`];
  writeFileSync(file, `# Written by npm run start:cluster at each start: how to reach its Temporal.\n${[...unset, ...lines].join('\n')}\n`);
  return file;
}

/** A random secret kept in `file` (created on the first start, owner-only), the same one on every later start. */
function persistentSecret(file: string, generate: () => string = () => randomBytes(32).toString('hex')): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = generate();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
