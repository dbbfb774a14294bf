// The suite's shared Temporal server on the production topology (`JOURNEY_TEST_TEMPORAL=cluster`, `npm run
// test:cluster`): a private PostgreSQL and the Temporal server built from go.temporal.io/server on it, with SQL
// visibility and our search attributes, started by the same code as `npm run start:cluster` (scripts/cluster/). Every
// test that runs against the shared server (test/support/temporal.ts: connectDevServer) then runs against this one.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Starts PostgreSQL and the server in a folder of their own; stop() ends both, keeps their logs in `logsDir`
 *  (temporal-server.log, postgres.log, as the dev server's log is kept there) and removes the rest. */
export async function startClusterServer(log: (line: string) => void, logsDir: string): Promise<ClusterServer> {
  const paths = {
    serverPath: required('TEMPORAL_SERVER_PATH'),
    sqlToolPath: required('TEMPORAL_SQL_TOOL_PATH'),
    schemaDir: required('TEMPORAL_SCHEMA_DIR'),
    pgBin: required('JOURNEY_PG_BIN'),
  };
  const dir = mkdtempSync(join(tmpdir(), 'journey-test-cluster-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
  let postgres: PostgresCluster | undefined;
  let server: ChildProcess | undefined;
  const stop = async () => {
    if (server) await stopServerProcess(server, 20_000);
    await postgres?.stop().catch((err: Error) => log(`PostgreSQL did not stop cleanly: ${err.message}`));
    for (const file of [join(dir, 'temporal', 'temporal-server.log'), join(dir, 'postgres', 'postgres.log')])
      if (existsSync(file)) copyFileSync(file, join(logsDir, basename(file)));
    rmSync(dir, { recursive: true, force: true });
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
    await stop();
    throw err;
  }
}
