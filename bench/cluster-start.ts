// How long `npm run start:cluster` takes to be up, and to stop, start after start on one data folder: ROUNDS times
// (default 3) the launcher (scripts/cluster/start-cluster.ts) is started, timed from its spawn to its "cluster is up"
// banner, sent SIGINT at once, and timed to its exit; the next round starts as soon as it has. The second and later
// rounds are the restart right after a stop. By hand: it needs the programs start-cluster.sh obtains
// (TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH, TEMPORAL_SCHEMA_DIR, JOURNEY_PG_BIN). No raw baseline: it times the
// launcher itself. Set JOURNEY_CLUSTER_TLS=mtls to time the mutual-TLS topology.
//   node --import tsx bench/cluster-start.ts [ROUNDS]
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeClusterPorts } from '../scripts/cluster/ports.ts';

const rounds = Number(process.argv[2] ?? 3);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`ROUNDS must be 1 to 20, got ${process.argv[2]}`);
const BOUND_MS = 600_000; // one round's start and stop, at most

const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-start-'));
chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
const env = {
  ...process.env,
  JOURNEY_DATA_DIR: join(dir, 'cluster'),
  ...(await freeClusterPorts()),
};

async function round(n: number): Promise<{ upMs: number; stopMs: number }> {
  const started = Date.now();
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster/start-cluster.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  launcher.stdout.on('data', (c: Buffer) => (output += c));
  launcher.stderr.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
  const bound = setTimeout(() => launcher.kill('SIGKILL'), BOUND_MS);
  while (!output.includes('cluster is up')) {
    if (launcher.exitCode !== null || launcher.signalCode !== null)
      throw new Error(`round ${n}: the launcher exited before it was up:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const upMs = Date.now() - started;
  const stopping = Date.now();
  launcher.kill('SIGINT');
  const code = await exited;
  clearTimeout(bound);
  if (code !== 0) throw new Error(`round ${n}: the launcher stopped with ${code}:\n${output.slice(-3000)}`);
  return { upMs, stopMs: Date.now() - stopping };
}

try {
  console.log(`npm run start:cluster, ${rounds} rounds on one data folder (${dir}), TLS ${process.env.JOURNEY_CLUSTER_TLS || 'off'}`);
  for (let n = 1; n <= rounds; n++) {
    const { upMs, stopMs } = await round(n);
    console.log(
      `round ${n}: up after ${(upMs / 1000).toFixed(1)} s, stopped after ${(stopMs / 1000).toFixed(1)} s${n === 1 ? ' (first start of the folder)' : ''}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
