// The Temporal server built from go.temporal.io/server (scripts/cluster/obtain-temporal-server.sh) on PostgreSQL:
// the schemas of the default store and of SQL visibility set up and upgraded by temporal-sql-tool, a config file of
// our own (all four services in one process, 127.0.0.1 only), the namespace registered and the project's search
// attributes added through the operator API, as `temporal operator search-attribute create` would.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { findSearchAttributeProblems } from '../../worker/search-attributes.ts';
import { startPostgres, type PostgresCluster } from './postgres.ts';
import { EAGER_ACTIVITIES, HISTORY_QUEUE_READS, HISTORY_QUEUE_READS_PER_SECOND, portIsFree } from '../dev-server.ts';

const run = promisify(execFile);

export interface TemporalServerOptions {
  serverPath: string;
  sqlToolPath: string;
  /** schema/postgresql/v12 of the server's version (temporal/ and visibility/ inside). */
  schemaDir: string;
  postgres: PostgresCluster;
  /** This server's folder: config/, temporal-server.log. */
  dir: string;
  /** gRPC port of the frontend (what workers and clients dial). */
  frontendPort: number;
  /** Ports for the other services' gRPC and membership, the frontend's HTTP API and Prometheus metrics. */
  internalPorts: number[];
  namespace: string;
  /** Fixed when the database is created: a later start must use the same number. */
  historyShards: number;
  log?: (line: string) => void;
  /** Called as soon as the server process exists, so a stop during start can reach it. */
  onSpawn?: (child: ChildProcess) => void;
  /** TLS on the frontend; `credentials` are then how the launcher's own calls reach it (health, namespace). */
  tls?: FrontendTls;
  credentials?: Pick<ConnectionOptions, 'tls' | 'apiKey'>;
  /** The `global.authorization` block's YAML (writeConfigFiles), e.g. subjectAuthorization's (scripts/cluster/tls.ts). */
  authorization?: string;
}

export const DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/** Creates both databases if missing and brings their schemas to the server's version (both steps are idempotent). */
export async function setUpSchemas(opts: TemporalServerOptions): Promise<void> {
  const { postgres } = opts;
  const tool = async (db: string, args: string[]) => {
    const base = ['--plugin', 'postgres12', '--ep', postgres.host, '-p', String(postgres.port), '-u', postgres.user, '--db', db];
    try {
      // The password goes through the tool's own SQL_PASSWORD variable, not the command line (ps would show it).
      await run(opts.sqlToolPath, [...base, ...args], { env: { ...process.env, SQL_PASSWORD: postgres.password }, timeout: 180_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`temporal-sql-tool --db ${db} ${args[0]} failed: ${(e.stderr || e.stdout || e.message).trim().slice(-1500)}`);
    }
  };
  for (const [db, folder] of [
    [DATABASES.default, 'temporal'],
    [DATABASES.visibility, 'visibility'],
  ] as const) {
    opts.log?.(`temporal-sql-tool: database ${db}: create, setup-schema -v 0.0, update-schema -d ${folder}/versioned`);
    await tool(db, ['create-database']);
    await tool(db, ['setup-schema', '-v', '0.0']);
    await tool(db, ['update-schema', '-d', join(opts.schemaDir, folder, 'versioned')]);
  }
}

function sqlStore(db: string, pg: PostgresCluster, maxConns: number): string {
  return `      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${pg.host}:${pg.port}"
        connectProtocol: "tcp"
        user: "${pg.user}"
        password: "${pg.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
}

/** The server's static config (`--env cluster`) and its dynamic config; the password makes it owner-only. */
export function writeServerConfig(opts: TemporalServerOptions): string {
  return writeConfigFiles({
    dir: opts.dir,
    frontendPort: opts.frontendPort,
    internalPorts: opts.internalPorts,
    historyShards: opts.historyShards,
    persistence: `  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  datastores:
    postgres-default:
${sqlStore(DATABASES.default, opts.postgres, 20)}
    postgres-visibility:
${sqlStore(DATABASES.visibility, opts.postgres, 10)}`,
    tls: opts.tls,
    authorization: opts.authorization,
  });
}

/**
 * TLS on the frontend, as a deployment serves clients: the server's certificate, and with `clientCaPath` mutual TLS
 * (every client, the server's own system worker included, shows a certificate that CA signed).
 */
export interface FrontendTls {
  certPath: string;
  keyPath: string;
  /** The CA the server's own system worker trusts the frontend's certificate by. */
  caPath: string;
  /** The name on the frontend's certificate, which the system worker checks. */
  serverName: string;
  /** Mutual TLS: clients must show a certificate signed by this CA; the system worker shows `workerCert`. */
  clientCaPath?: string;
  workerCert?: { certPath: string; keyPath: string };
}

function tlsConfig(tls: FrontendTls): string {
  const worker = tls.workerCert ? `\n      certFile: "${tls.workerCert.certPath}"\n      keyFile: "${tls.workerCert.keyPath}"` : '';
  const mutual = tls.clientCaPath ? `\n        requireClientAuth: true\n        clientCaFiles: ["${tls.clientCaPath}"]` : '';
  return `  tls:
    frontend:
      server:
        certFile: "${tls.certPath}"
        keyFile: "${tls.keyPath}"${mutual}
    systemWorker:${worker}
      client:
        serverName: "${tls.serverName}"
        rootCaFiles: ["${tls.caPath}"]
`;
}

/**
 * The static config (`--env cluster`) on the store `persistence` (the YAML inside `persistence:`, at two spaces), all
 * four services in one process on 127.0.0.1, and its dynamic config. Written owner-only (a store's password).
 */
export function writeConfigFiles(opts: {
  dir: string;
  frontendPort: number;
  internalPorts: number[];
  historyShards: number;
  persistence: string;
  tls?: FrontendTls;
  /** The `global.authorization` block's YAML (inside it, at four spaces): the frontend checks each caller's token. */
  authorization?: string;
  /** An internal frontend (no claim mapper, no authorizer) for the server's own worker: needed with `authorization`. */
  internalFrontend?: { grpcPort: number; membershipPort: number; httpPort: number };
}): string {
  const configDir = join(opts.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const [historyPort, matchingPort, workerPort, frontMember, historyMember, matchingMember, workerMember, httpPort, metricsPort] =
    opts.internalPorts;
  const service = (grpc: number, member: number, extra = '') =>
    `    rpc:\n      grpcPort: ${grpc}\n      membershipPort: ${member}\n      bindOnLocalHost: true${extra}`;
  const dynamicConfigFile = join(configDir, 'dynamicconfig.yaml');
  writeFileSync(
    join(configDir, 'cluster.yaml'),
    `# Written by scripts/cluster/temporal-server.ts at each start: edit that file, not this one.
log:
  stdout: false
  level: warn
  outputFile: "${join(opts.dir, 'temporal-server.log')}"
persistence:
  numHistoryShards: ${opts.historyShards}
${opts.persistence}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${metricsPort}"
${opts.tls ? tlsConfig(opts.tls) : ''}${opts.authorization ? `  authorization:\n${opts.authorization}\n` : ''}services:
  frontend:
${service(opts.frontendPort, frontMember, `\n      httpPort: ${httpPort}`)}
  history:
${service(historyPort, historyMember)}
  matching:
${service(matchingPort, matchingMember)}
  worker:
${service(workerPort, workerMember)}
${
  opts.internalFrontend
    ? `  internal-frontend:\n${service(opts.internalFrontend.grpcPort, opts.internalFrontend.membershipPort, `\n      httpPort: ${opts.internalFrontend.httpPort}`)}\n`
    : ''
}clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${opts.frontendPort}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`,
    { mode: 0o600 },
  );
  // What the API needs beyond the defaults: update-with-start (the global opt-out) is a multi-operation. And what the
  // dev server runs with too: a worker takes the activities its own workflow task schedules (EAGER_ACTIVITIES), and
  // history reads its queues of tasks up to HISTORY_QUEUE_READS_PER_SECOND times a second per shard, not 20.
  writeFileSync(
    dynamicConfigFile,
    `frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableExecuteMultiOperation:
  - value: true
limit.maxIDLength:
  - value: 255
${EAGER_ACTIVITIES}:
  - value: true
${HISTORY_QUEUE_READS.map((key) => `${key}:\n  - value: ${HISTORY_QUEUE_READS_PER_SECOND}\n`).join('')}`,
  );
  return configDir;
}

/**
 * `n` distinct ports free on 127.0.0.1 below 32768: Temporal keeps each service's membership port in a PostgreSQL
 * smallint, so the OS's ephemeral ports (32768 and up) fail its membership heartbeat at start.
 */
export async function lowFreePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < n && tries < 500; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (ports.includes(port)) continue;
    if (await portIsFree(port)) ports.push(port);
  }
  if (ports.length < n) throw new Error('no free ports between 20000 and 32000 for the Temporal services');
  return ports;
}

/**
 * lowFreePorts kept in `file` for the next start, which takes the same ones when they are all still free. A server
 * started on new ports finds the last one's services in its membership table (cluster_membership, heartbeats of the
 * last seconds) and tries to join them at their old addresses, where nothing answers: it gives up only after
 * maxJoinDuration (30 s) and bootstraps alone, so a restart within a minute of a stop took 60 s instead of 15 s. On
 * the same ports those addresses are its own.
 */
export async function stickyLowFreePorts(file: string, n: number): Promise<number[]> {
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
  if (Array.isArray(kept) && kept.length === n && kept.every((p) => Number.isInteger(p) && p > 0 && p < 32_768)) {
    const free = await Promise.all(kept.map((port: number) => portIsFree(port)));
    if (free.every(Boolean)) return kept as number[];
  }
  const ports = await lowFreePorts(n);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(ports)}\n`);
  return ports;
}

const INDEXED_VALUE_TYPE: Record<string, number> = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 };

/** Registers the namespace (if new) and adds the search attributes it lacks; waits until the frontend lists them all. */
export async function registerNamespace(
  address: string,
  namespace: string,
  log: (line: string) => void,
  timeoutMs = 90_000,
  credentials: Pick<ConnectionOptions, 'tls' | 'apiKey'> = {},
) {
  const connection = await Connection.connect({ address, ...credentials });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') }).then(
      () => log(`namespace "${namespace}" registered (retention of closed runs: 7 days)`),
      (err: { code?: number; message: string }) => {
        if (err.code !== 6) throw err; // 6 ALREADY_EXISTS: an earlier start registered it
      },
    );
    const deadline = Date.now() + timeoutMs;
    let added = false;
    for (;;) {
      // A new namespace reaches the services' caches within ~10 s: until then the calls below fail NOT_FOUND.
      const problems = await findSearchAttributeProblems(connection.operatorService, namespace).catch((err: Error) => {
        if (Date.now() > deadline) throw err;
        return undefined;
      });
      if (problems && problems.length === 0) return;
      if (problems?.some((p) => p.found)) {
        throw new Error(`search attributes registered with another type: ${problems.map((p) => `${p.name} is ${p.found}`).join(', ')}`);
      }
      if (problems && !added) {
        const searchAttributes = Object.fromEntries(problems.map((p) => [p.name, INDEXED_VALUE_TYPE[cliType(p.expected)]]));
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
        log(`search attributes added: ${problems.map((p) => p.name).join(', ')}`);
        added = true;
      }
      if (Date.now() > deadline)
        throw new Error(`the namespace "${namespace}" did not list its search attributes within ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await connection.close();
  }
}

/** The SDK's type names (KEYWORD, DATETIME, KEYWORD_LIST...) in the server's spelling. */
function cliType(sdkType: string): string {
  const names: Record<string, string> = {
    TEXT: 'Text',
    KEYWORD: 'Keyword',
    INT: 'Int',
    DOUBLE: 'Double',
    BOOL: 'Bool',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };
  return names[sdkType] ?? sdkType;
}

/** Sets up the schemas, writes the config, starts the server and waits until the namespace serves its search attributes. */
export async function startTemporalServer(
  opts: TemporalServerOptions,
): Promise<{ address: string; process: ChildProcess; metricsUrl: string }> {
  await setUpSchemas(opts);
  writeServerConfig(opts);
  const started = await runTemporalServer({ ...opts, log: opts.log ?? (() => undefined) });
  // The last internal port is Prometheus's (writeConfigFiles).
  return { ...started, metricsUrl: `http://127.0.0.1:${opts.internalPorts[8]}/metrics` };
}

/**
 * Starts the server on the config in `dir/config` (writeConfigFiles), waits until its frontend serves (through TLS
 * with `tls`, the client's options) and registers the namespace with the project's search attributes.
 */
export async function runTemporalServer(opts: {
  serverPath: string;
  dir: string;
  frontendPort: number;
  namespace: string;
  log: (line: string) => void;
  onSpawn?: (child: ChildProcess) => void;
  /** How a client reaches the frontend (TLS, an API key): for the health check and the namespace's registration. */
  credentials?: Pick<ConnectionOptions, 'tls' | 'apiKey'>;
  /** The services to run (`--service`), when not the server's default four. */
  services?: string[];
}): Promise<{ address: string; process: ChildProcess }> {
  const out = openSync(join(opts.dir, 'temporal-server.out'), 'a');
  // Own process group: a terminal's Ctrl-C reaches only the launcher, which stops the workers before the server.
  const services = (opts.services ?? []).flatMap((name) => ['--service', name]);
  const child = spawn(
    opts.serverPath,
    ['--root', opts.dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start', ...services],
    {
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  opts.onSpawn?.(child);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `code ${code ?? signal}`));
  const address = `127.0.0.1:${opts.frontendPort}`;
  opts.log(`temporal-server starting: frontend ${address}, all services in one process (log: ${join(opts.dir, 'temporal-server.log')})`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`temporal-server exited (${exited}) while starting: see ${join(opts.dir, 'temporal-server.log')}`);
    const up = await Connection.connect({ address, ...opts.credentials, connectTimeout: 1000 }).then(
      async (c) => {
        const health = await c.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' }).finally(() => c.close());
        return health.status === 1; // SERVING
      },
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`temporal-server did not answer on ${address} within 120 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await registerNamespace(address, opts.namespace, opts.log, undefined, opts.credentials);
  return { address, process: child };
}

/** Where the production topology's programs are: what scripts/cluster/obtain-temporal-server.sh and obtain-postgres.sh export. */
export interface ClusterBinaries {
  serverPath: string;
  sqlToolPath: string;
  schemaDir: string;
  /** Folder of PostgreSQL's pg_ctl, initdb and psql. */
  pgBin: string;
}

const BINARY_VARIABLES = {
  serverPath: 'TEMPORAL_SERVER_PATH',
  sqlToolPath: 'TEMPORAL_SQL_TOOL_PATH',
  schemaDir: 'TEMPORAL_SCHEMA_DIR',
  pgBin: 'JOURNEY_PG_BIN',
} as const satisfies Record<keyof ClusterBinaries, string>;

/** The four paths from the environment; the first one missing is named, with `remedy` (the command that obtains them). */
export function clusterBinaries(env: NodeJS.ProcessEnv, remedy: string): ClusterBinaries {
  const found: Partial<ClusterBinaries> = {};
  for (const [field, name] of Object.entries(BINARY_VARIABLES) as Array<[keyof ClusterBinaries, string]>) {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: ${remedy}`);
    found[field] = value;
  }
  return found as ClusterBinaries;
}

export interface TemporalOnPostgresOptions {
  binaries: ClusterBinaries;
  /** PostgreSQL goes in `dir/postgres`, the server's config and logs in `dir/temporal`. */
  dir: string;
  pgPort: number;
  frontendPort: number;
  /** Nine ports below 32768 (lowFreePorts): see TemporalServerOptions. */
  internalPorts: number[];
  namespace: string;
  historyShards: number;
  log: (line: string) => void;
  /** Each part as soon as it exists, so a caller that stops during the start reaches what is already running. */
  onPostgres?: (postgres: PostgresCluster) => void;
  onSpawn?: (server: ChildProcess) => void;
  tls?: FrontendTls;
  credentials?: Pick<ConnectionOptions, 'tls' | 'apiKey'>;
  authorization?: string;
}

/** The production topology's Temporal: a private PostgreSQL, then the server on it (`npm run start:cluster` and `npm run test:cluster`). */
export async function startTemporalOnPostgres(
  opts: TemporalOnPostgresOptions,
): Promise<{ postgres: PostgresCluster; address: string; process: ChildProcess; metricsUrl: string }> {
  const { binaries } = opts;
  const postgres = await startPostgres({ binDir: binaries.pgBin, dir: join(opts.dir, 'postgres'), port: opts.pgPort, log: opts.log });
  opts.onPostgres?.(postgres);
  const server = await startTemporalServer({
    serverPath: binaries.serverPath,
    sqlToolPath: binaries.sqlToolPath,
    schemaDir: binaries.schemaDir,
    postgres,
    dir: join(opts.dir, 'temporal'),
    frontendPort: opts.frontendPort,
    internalPorts: opts.internalPorts,
    namespace: opts.namespace,
    historyShards: opts.historyShards,
    log: opts.log,
    onSpawn: opts.onSpawn,
    tls: opts.tls,
    credentials: opts.credentials,
    authorization: opts.authorization,
  });
  return { postgres, ...server };
}
