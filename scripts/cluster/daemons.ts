// The two detached daemons of a topology a test or a bench starts on one box: PostgreSQL (pg_ctl forks the
// postmaster) and temporal-server (its own process group). Neither dies with the process that started it, so a run
// that ends without stopping them (an exception first, Ctrl-C: vitest exits at once) kills them on its way out
// instead of leaving them on their ports. test/setup/cluster-server.ts (the suite's shared server) and
// test/chaos/cluster.ts (the chaos suite's cluster target) both keep them here.
import type { ChildProcess } from 'node:child_process';
import { stopServerProcess } from '../dev-server.ts';
import { livePostmaster, quitPostmaster, type PostgresCluster } from './postgres.ts';

export class ClusterDaemons {
  /** Set by startTemporalOnPostgres's onPostgres. */
  postgres: PostgresCluster | undefined;
  /** Set by its onSpawn; undefined while the server is stopped. */
  server: ChildProcess | undefined;
  /** The Temporal UI server, when one runs beside it (its own process group too). */
  ui: ChildProcess | undefined;

  /** `alsoOnExit` runs last in the exit listener (synchronous, as an 'exit' listener must be). */
  constructor(
    private readonly pgdata: string,
    private readonly alsoOnExit: () => void = () => undefined,
  ) {
    process.once('exit', this.killOnExit);
  }

  private readonly killOnExit = () => {
    for (const child of [this.ui, this.server]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const pid = livePostmaster(this.pgdata);
    try {
      if (pid !== undefined) process.kill(pid, 'SIGQUIT');
    } finally {
      this.alsoOnExit();
    }
  };

  /** temporal-server alone (PostgreSQL stays up): SIGTERM, SIGKILL past 20 s. */
  async stopServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await stopServerProcess(server, 20_000);
  }

  /** All, for good: the UI, the server, then PostgreSQL (pg_ctl, else the postmaster's immediate shutdown). */
  async stop(log: (line: string) => void): Promise<void> {
    try {
      const ui = this.ui;
      this.ui = undefined;
      if (ui) await stopServerProcess(ui, 10_000);
      await this.stopServer();
      await this.postgres?.stop().catch((err: Error) => log(`PostgreSQL did not stop cleanly: ${err.message}`));
      await quitPostmaster(this.pgdata); // pg_ctl failed, or the start failed after the postmaster came up
    } finally {
      process.removeListener('exit', this.killOnExit);
    }
  }
}
