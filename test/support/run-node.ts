// Node processes of this repository run by the tests: started and watched (spawnNode), or run to their exit (runNode),
// stdout and stderr together.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningNode {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output: () => string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** `node <args>` with exactly `env` (callers spread process.env themselves where they mean to). */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv): RunningNode {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** `node --import tsx <script>` with this process's environment and `env` over it. */
export function startScript(script: string, env: Record<string, string>): RunningNode {
  return spawnNode(['--import', 'tsx', script], { ...process.env, ...env });
}

/**
 * For the worker's and the API's start-up checks, which refuse a bad setting before they touch Temporal: run to the
 * exit. TEMPORAL_ADDRESS points nowhere unless the caller says, and a process that gets that far tries it once
 * (JOURNEY_TEMPORAL_CONNECT_WAIT_S=0, worker/temporal-connect.ts).
 */
export async function runNode(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const running = spawnNode(args, { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', JOURNEY_TEMPORAL_CONNECT_WAIT_S: '0', ...env });
  const code = await running.exited;
  return { code, output: running.output() };
}
