// The suite's shared Temporal server on the production topology (`JOURNEY_TEST_TEMPORAL=cluster`, `npm run
// test:cluster`): a private PostgreSQL and the Temporal server built from go.temporal.io/server on it, with SQL
// visibility and our search attributes, started by the same code as `npm run start:cluster` (scripts/cluster/), on
// mutual TLS with authorization by certificate subject as `JOURNEY_CLUSTER_TLS=mtls` runs it. Every test that runs
// against the shared server (test/support/temporal.ts: connectDevServer, sharedTemporalEnv) then runs against this
// one: the tests' own clients as the operator, the worker and API processes they start each with its own kind's
// certificate, which may only write in the namespace `default`.
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ClusterDaemons } from '../../scripts/cluster/daemons.ts';
import { clusterBinaries, lowFreePorts, startTemporalOnPostgres } from '../../scripts/cluster/temporal-server.ts';
import { startTemporalUi } from '../../scripts/cluster/temporal-ui.ts';
import { freePort } from '../../scripts/dev-server.ts';
import { CLUSTER_CLIENTS, clusterFrontend, issueCertificates, mutualTlsEnv } from '../../scripts/cluster/tls.ts';
import { loadTemporalConfig } from '../../worker/temporal-config.ts';

/** Who reaches the shared server (SharedTemporalEnv): the tests' own clients, and the processes they start. */
export type SharedCaller = 'operator' | 'worker' | 'api';

/** What each caller sets to reach the shared server (Temporal's envconfig variables): its address, and on the
 *  cluster the TLS files of that caller's certificate. */
export type SharedTemporalEnv = Record<SharedCaller, Record<string, string>>;

export interface ClusterServer {
  address: string;
  env: SharedTemporalEnv;
  /** Where PostgreSQL's and the server's files and logs are (removed by stop()). */
  dir: string;
  /** The Temporal UI beside it, when TEMPORAL_UI_SERVER_PATH is set. */
  uiUrl?: string;
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
 * (temporal-server.log, temporal-server.out, postgres.log) and removes the rest. A run that ends without teardown
 * kills both on its way out (scripts/cluster/daemons.ts).
 */
export async function startClusterServer(log: (line: string) => void, logsDir: string): Promise<ClusterServer> {
  // scripts/test.sh exports them in cluster mode (scripts/cluster/obtain-*.sh).
  const binaries = clusterBinaries(
    process.env,
    'JOURNEY_TEST_TEMPORAL=cluster needs it: run `npm run test:cluster`, which obtains the server and PostgreSQL',
  );
  const dir = mkdtempSync(join(tmpdir(), 'journey-test-cluster-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
  // Removed on the way out too, with the daemons killed, when the run ends without stop().
  const daemons = new ClusterDaemons(join(dir, 'postgres', 'pgdata'), () => rmSync(dir, { recursive: true, force: true }));
  const stop = async () => {
    try {
      await daemons.stop(log);
      for (const file of [
        join(dir, 'temporal', 'temporal-server.log'),
        join(dir, 'temporal', 'temporal-server.out'),
        join(dir, 'postgres', 'postgres.log'),
        join(dir, 'ui', 'ui-server.log'),
      ])
        if (existsSync(file)) copyFileSync(file, join(logsDir, basename(file)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    // Temporal keeps membership ports in a smallint: every port below 32768 (lowFreePorts).
    const [pgPort, frontendPort, ...internalPorts] = await lowFreePorts(11);
    const certs = issueCertificates(join(dir, 'tls'), 'temporal-frontend', {
      clients: [...CLUSTER_CLIENTS],
      caDays: 7,
      days: 7,
      renewWithinDays: 0,
    });
    const operator = mutualTlsEnv(certs, 'operator');
    const { tls, authorization } = clusterFrontend(certs, 'default');
    const started = await startTemporalOnPostgres({
      binaries,
      dir,
      pgPort,
      frontendPort,
      internalPorts,
      namespace: 'default',
      historyShards: 4,
      log,
      onPostgres: (pg) => (daemons.postgres = pg),
      onSpawn: (child) => (daemons.server = child),
      tls,
      authorization,
      credentials: { tls: loadTemporalConfig({ ...process.env, ...operator }).connectionOptions.tls },
    });
    const reach = (vars: Record<string, string>) => ({ TEMPORAL_ADDRESS: started.address, ...vars });
    const env = { operator: reach(operator), worker: reach(mutualTlsEnv(certs, 'worker')), api: reach(mutualTlsEnv(certs, 'api')) };
    // The Temporal UI beside it, as `npm run start:cluster` runs it (scripts/test.sh obtains it), for test/ui.test.ts.
    let uiUrl: string | undefined;
    const uiServerPath = process.env.TEMPORAL_UI_SERVER_PATH;
    if (uiServerPath) {
      const ui = await startTemporalUi(
        uiServerPath,
        { dir: join(dir, 'ui'), port: await freePort(), temporalAddress: started.address, namespace: 'default', certs, client: 'ui' },
        (child) => (daemons.ui = child),
      );
      uiUrl = ui.url;
    }
    return { address: started.address, env, dir, stop, uiUrl };
  } catch (err) {
    await stop().catch((e: Error) => log(`stopping after a failed start: ${e.message}`));
    throw new Error(`${(err as Error).message} (its folder is removed; the server's and PostgreSQL's logs are kept in ${logsDir})`, {
      cause: err,
    });
  }
}
