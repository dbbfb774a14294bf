// A private PostgreSQL cluster under the data folder for the production-shaped topology: Debian's binaries
// (scripts/cluster/obtain-postgres.sh finds them), initdb on first use, pg_ctl to start and stop, listening on
// 127.0.0.1 only (no Unix socket), password authentication for the one role Temporal uses. Never the system service.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresOptions {
  /** Folder of pg_ctl, initdb, psql (JOURNEY_PG_BIN). */
  binDir: string;
  /** This cluster's folder: `pgdata/` (the cluster), `postgres.log`, `pg-password`. */
  dir: string;
  port: number;
  log?: (line: string) => void;
}

export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  pgdata: string;
  /** Size of one database in bytes (pg_database_size). */
  databaseSize(name: string): Promise<number>;
  stop(): Promise<void>;
}

export const PG_USER = 'temporal';

/**
 * PostgreSQL refuses to run as root. As root we run it as Debian's `postgres` system user (created by the package),
 * which then owns pgdata; as anyone else, as ourselves.
 */
function runAs(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!passwd)
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  const [, , uid, gid] = passwd.split(':');
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(uid), gid: Number(gid) };
}

async function pg(opts: PostgresOptions, tool: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const as = runAs();
  const cmd = [...as.prefix, join(opts.binDir, tool), ...args];
  try {
    const { stdout } = await run(cmd[0], cmd.slice(1), { env: { ...process.env, ...env }, timeout: 120_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${tool} ${args[0] ?? ''} failed: ${(e.stderr || e.message).trim().slice(-1500)}`);
  }
}

function ownedByPostgres(path: string): void {
  const as = runAs();
  if (as.uid !== undefined) chownSync(path, as.uid, as.gid!);
}

/** initdb on first use (role `temporal` with a generated password kept in `dir/pg-password`), then pg_ctl start. */
export async function startPostgres(opts: PostgresOptions): Promise<PostgresCluster> {
  const say = opts.log ?? (() => undefined);
  const pgdata = join(opts.dir, 'pgdata');
  const passwordFile = join(opts.dir, 'pg-password');
  const logFile = join(opts.dir, 'postgres.log');
  mkdirSync(opts.dir, { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  if (runAs().uid !== undefined) {
    // As root the server runs as `postgres`, which must be able to reach the folder (a 0700 parent blocks it).
    await run('runuser', ['-u', 'postgres', '--', 'test', '-x', opts.dir]).catch(() => {
      throw new Error(
        `PostgreSQL runs as the postgres user, which cannot reach ${opts.dir}: give its parent folders o+x, or choose another JOURNEY_DATA_DIR`,
      );
    });
  }
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    say(`initdb: a new PostgreSQL cluster in ${pgdata}`);
    mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    ownedByPostgres(pgdata);
    // initdb reads the password from a file it can open as the postgres user; it is removed right after.
    const pwfile = join(pgdata, '..', `.pwfile-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    ownedByPostgres(pwfile);
    try {
      await pg(opts, 'initdb', [
        '-D',
        pgdata,
        '-U',
        PG_USER,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ]);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  ownedByPostgres(logFile);
  chmodSync(logFile, 0o644);

  // A cluster left running by a start that was killed is stopped first, so this start owns it and its port.
  const status = await pg(opts, 'pg_ctl', ['status', '-D', pgdata]).catch(() => 'not running');
  if (status.includes('server is running')) {
    say('a PostgreSQL left running by an earlier start: stopping it first');
    await pg(opts, 'pg_ctl', ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60']);
  }
  const serverOptions = [
    `-p ${opts.port}`,
    "-c listen_addresses='127.0.0.1'",
    "-c unix_socket_directories=''",
    // Temporal's default store keeps up to maxConns per service (4 services in one process) plus visibility.
    '-c max_connections=200',
    '-c shared_buffers=256MB',
  ].join(' ');
  say(`pg_ctl start on 127.0.0.1:${opts.port} (log: ${logFile})`);
  await pg(opts, 'pg_ctl', ['start', '-D', pgdata, '-l', logFile, '-w', '-t', '60', '-o', serverOptions]);

  const psql = (sql: string, db = 'postgres') =>
    pg(opts, 'psql', ['-h', '127.0.0.1', '-p', String(opts.port), '-U', PG_USER, '-d', db, '-tAc', sql], { PGPASSWORD: password });
  return {
    host: '127.0.0.1',
    port: opts.port,
    user: PG_USER,
    password,
    pgdata,
    databaseSize: async (name) => Number((await psql(`SELECT pg_database_size('${name.replaceAll("'", "''")}')`)).trim()),
    stop: async () => {
      say('pg_ctl stop (fast: open sessions end, committed data stays)');
      await pg(opts, 'pg_ctl', ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60']);
    },
  };
}

/** The postmaster's pid from its lock file, while that process lives; undefined otherwise. */
export function livePostmaster(pgdata: string): number | undefined {
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

/**
 * PostgreSQL's immediate shutdown (SIGQUIT to the postmaster: the next start recovers from the WAL), for when pg_ctl
 * could not stop it or cannot run. Waits up to 10 s for the postmaster to go.
 */
export async function quitPostmaster(pgdata: string): Promise<void> {
  const pid = livePostmaster(pgdata);
  if (pid === undefined) return;
  process.kill(pid, 'SIGQUIT');
  for (const end = Date.now() + 10_000; livePostmaster(pgdata) !== undefined && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 100));
}
