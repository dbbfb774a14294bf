// The suite's shared Temporal server on the production topology (`JOURNEY_TEST_TEMPORAL=cluster`, `npm run
// test:cluster`): a private PostgreSQL and the Temporal server built from go.temporal.io/server on it, with SQL
// visibility and our search attributes, started by the same code as `npm run start:cluster` (scripts/cluster/). Every
// test that runs against the shared server (test/support/temporal.ts: connectDevServer) then runs against this one.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { stopServerProcess } from '../../scripts/dev-server.ts';
import { startPostgres, type PostgresCluster } from '../../scripts/cluster/postgres.ts';
import { lowFreePorts, startTemporalServer } from '../../scripts/cluster/temporal-server.ts';

export interface ClusterServer {
  address: string;
  /** Where PostgreSQL's and the server's files and logs are (removed by stop()). */
  dir: string;
  stop(): Promise<void>;
}

/** Which server the suite shares: the CLI's dev server (the default), or the production topology's. */
export function sharedServerKind(env: NodeJS.ProcessEnv = process.env): 'dev' | 'cluster' {
  const kind = env.JOURNEY_TEST_TEMPORAL || 'dev';
  if (kind !== 'dev' && kind !== 'cluster')
    throw new Error(`JOURNEY_TEST_TEMPORAL must be dev (the CLI's dev server) or cluster (PostgreSQL), got ${JSON.stringify(kind)}`);
  return kind;
}

/** The paths scripts/test.sh exports (scripts/cluster/obtain-*.sh): the server, its SQL tool and schemas, PostgreSQL. */
function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`JOURNEY_TEST_TEMPORAL=cluster needs ${name}: run \`npm run test:cluster\`, which obtains the server and PostgreSQL`);
  return value;
}

/** The postmaster's pid from its lock file, while that process lives; undefined otherwise. */
function livePostmaster(pgdata: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!(pid > 0)) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** PostgreSQL's immediate shutdown (SIGQUIT to the postmaster), for when pg_ctl could not stop it or cannot run. */
async function quitPostmaster(pgdata: string): Promise<void> {
  const pid = livePostmaster(pgdata);
  if (pid === undefined) return;
  process.kill(pid, 'SIGQUIT');
  for (const end = Date.now() + 10_000; livePostmaster(pgdata) !== undefined && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 100));
}

/**
 * Starts PostgreSQL and the server in a folder of their own. stop() ends both, keeps their logs in `logsDir`
 * (temporal-server.log, temporal-server.out, postgres.log) and removes the rest. Both are detached daemons (the
 * server has its own process group, pg_ctl forks the postmaster), so a run that ends without teardown (Ctrl-C:
 * vitest exits at once) kills them on the way out instead of leaving them on their ports.
 */
export async function startClusterServer(log: (line: string) => void, logsDir: string): Promise<ClusterServer> {
  const paths = {
    serverPath: required('TEMPORAL_SERVER_PATH'),
    sqlToolPath: required('TEMPORAL_SQL_TOOL_PATH'),
    schemaDir: required('TEMPORAL_SCHEMA_DIR'),
    pgBin: required('JOURNEY_PG_BIN'),
  };
  const dir = mkdtempSync(join(tmpdir(), 'journey-test-cluster-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
  const pgdata = join(dir, 'postgres', 'pgdata');
  let postgres: PostgresCluster | undefined;
  let server: ChildProcess | undefined;
  // Synchronous, as an 'exit' listener must be: the server and the postmaster get their signal, the folder goes.
  const killOnExit = () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    const pid = livePostmaster(pgdata);
    try {
      if (pid !== undefined) process.kill(pid, 'SIGQUIT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    try {
      if (server) await stopServerProcess(server, 20_000);
      await postgres?.stop().catch((err: Error) => log(`PostgreSQL did not stop cleanly: ${err.message}`));
      await quitPostmaster(pgdata); // pg_ctl failed, or start failed after the postmaster came up
      for (const file of [
        join(dir, 'temporal', 'temporal-server.log'),
        join(dir, 'temporal', 'temporal-server.out'),
        join(dir, 'postgres', 'postgres.log'),
      ])
        if (existsSync(file)) copyFileSync(file, join(logsDir, basename(file)));
    } finally {
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    // Temporal keeps membership ports in a smallint: every port below 32768 (lowFreePorts).
    const [pgPort, frontendPort, ...internalPorts] = await lowFreePorts(11);
    postgres = await startPostgres({ binDir: paths.pgBin, dir: join(dir, 'postgres'), port: pgPort, log });
    const started = await startTemporalServer({
      ...paths,
      postgres,
      dir: join(dir, 'temporal'),
      frontendPort,
      internalPorts,
      namespace: 'default',
      historyShards: 4,
      log,
      onSpawn: (child) => (server = child),
    });
    return { address: started.address, dir, stop };
  } catch (err) {
    await stop().catch((e: Error) => log(`stopping after a failed start: ${e.message}`));
    throw new Error(`${(err as Error).message} (its folder is removed; the server's and PostgreSQL's logs are kept in ${logsDir})`, {
      cause: err,
    });
  }
}
