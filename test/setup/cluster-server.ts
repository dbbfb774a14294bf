// The suite's shared Temporal server on the production topology (`JOURNEY_TEST_TEMPORAL=cluster`, `npm run
// test:cluster`): a private PostgreSQL and the Temporal server built from go.temporal.io/server on it, with SQL
// visibility and our search attributes, started by the same code as `npm run start:cluster` (scripts/cluster/). Every
// test that runs against the shared server (test/support/temporal.ts: connectDevServer) then runs against this one.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { stopServerProcess } from '../../scripts/dev-server.ts';
import { livePostmaster, quitPostmaster, type PostgresCluster } from '../../scripts/cluster/postgres.ts';
import { clusterBinaries, lowFreePorts, startTemporalOnPostgres } from '../../scripts/cluster/temporal-server.ts';

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

/**
 * Starts PostgreSQL and the server in a folder of their own. stop() ends both, keeps their logs in `logsDir`
 * (temporal-server.log, temporal-server.out, postgres.log) and removes the rest. Both are detached daemons (the
 * server has its own process group, pg_ctl forks the postmaster), so a run that ends without teardown (Ctrl-C:
 * vitest exits at once) kills them on the way out instead of leaving them on their ports.
 */
export async function startClusterServer(log: (line: string) => void, logsDir: string): Promise<ClusterServer> {
  // scripts/test.sh exports them in cluster mode (scripts/cluster/obtain-*.sh).
  const binaries = clusterBinaries(
    process.env,
    'JOURNEY_TEST_TEMPORAL=cluster needs it: run `npm run test:cluster`, which obtains the server and PostgreSQL',
  );
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
    const started = await startTemporalOnPostgres({
      binaries,
      dir,
      pgPort,
      frontendPort,
      internalPorts,
      namespace: 'default',
      historyShards: 4,
      log,
      onPostgres: (pg) => (postgres = pg),
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
