// The child processes of `npm start` (worker, API): output prefixed with their name, one unexpected exit
// stops everything, and a stop sends SIGTERM in reverse start order so in-flight work drains first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { clientConfigToToml, loadClientConfigProfile } from '@temporalio/envconfig';
import { processAllocator, type ProcessAllocator } from '../worker/allocator.ts';

/** The environment a launcher gives an API process for JOURNEY_API_ALLOCATOR (auto, jemalloc or system, as the
 *  workers' JOURNEY_WORKER_ALLOCATOR: worker/allocator.ts). */
export function apiAllocator(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): ProcessAllocator {
  return processAllocator('JOURNEY_API_ALLOCATOR', env, exists);
}

// Temporal's envconfig settings (@temporalio/envconfig, read as the temporal CLI reads them): which Temporal a process
// reaches, with what credentials. TEMPORAL_GRPC_META_<header> too, by its prefix.
export const TEMPORAL_ENVCONFIG_NAMES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_CODEC_AUTH',
];
const GRPC_META_PREFIX = 'TEMPORAL_GRPC_META_';
export const isTemporalEnvconfig = (name: string) => TEMPORAL_ENVCONFIG_NAMES.includes(name) || name.startsWith(GRPC_META_PREFIX);

/**
 * A launched process's environment: the caller's, except for which Temporal it reaches and how. The launcher started
 * that Temporal and names it in `own` (with TEMPORAL_CONFIG_FILE, writeTemporalProfile's file). Nothing of the
 * caller's Temporal may reach the process: not a TEMPORAL_API_KEY or TEMPORAL_PROFILE in their shell, nor the default
 * profile of their own temporal.toml (a Temporal Cloud login is one), which the SDK reads when no file is named. An
 * API key turns TLS on, and the worker then exited at once against npm start's plain dev server ("it does not serve
 * TLS (TEMPORAL_TLS)"), taking npm start down with it.
 */
export function launchedEnv(inherited: NodeJS.ProcessEnv, own: Record<string, string>): Record<string, string> {
  const kept = Object.entries(inherited).filter((e): e is [string, string] => e[1] !== undefined && !isTemporalEnvconfig(e[0]));
  return { ...Object.fromEntries(kept), ...own };
}

/**
 * Writes `vars` (Temporal's envconfig variables: address, namespace, TLS) as the default profile of a temporal.toml at
 * `file`, and returns `vars` with TEMPORAL_CONFIG_FILE naming it: the launched processes read that file, never the
 * caller's, and an operator reaches the same Temporal with it (`temporal --config-file <file> workflow list`).
 */
export function writeTemporalProfile(file: string, vars: Record<string, string>): Record<string, string> {
  return writeTemporalProfiles(file, { default: vars }).default;
}

/**
 * Writes each of `profiles` (a name and its envconfig variables) as a profile of one temporal.toml at `file`; returns
 * each one's variables with TEMPORAL_CONFIG_FILE naming the file and TEMPORAL_PROFILE its name (none for `default`).
 */
export function writeTemporalProfiles<P extends string>(
  file: string,
  profiles: Record<P, Record<string, string>>,
): Record<P, Record<string, string>> {
  const entries = Object.entries(profiles) as [P, Record<string, string>][];
  const read = entries.map(([name, vars]) => [name, loadClientConfigProfile({ overrideEnvVars: vars, disableFile: true })] as const);
  writeFileSync(file, clientConfigToToml({ profiles: Object.fromEntries(read) }));
  const withFile = (name: P, vars: Record<string, string>): Record<string, string> =>
    name === 'default' ? { ...vars, TEMPORAL_CONFIG_FILE: file } : { ...vars, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: name };
  return Object.fromEntries(entries.map(([name, vars]) => [name, withFile(name, vars)])) as Record<P, Record<string, string>>;
}

export class ProcessGroup {
  private readonly children: Array<{ name: string; child: ChildProcess }> = [];
  stopping = false;

  constructor(
    private readonly onUnexpectedExit: (name: string, code: number | null) => void,
    private readonly inherited: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Runs `script` (a TypeScript file, with tsx) or a program with its arguments, in `env` (launchedEnv). */
  run(name: string, script: string | { command: string; args: string[] }, env: Record<string, string>): ChildProcess {
    const [command, args] = typeof script === 'string' ? [process.execPath, ['--import', 'tsx', script]] : [script.command, script.args];
    const child = spawn(command, args, {
      env: launchedEnv(this.inherited, env),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: Ctrl-C in the terminal reaches only `npm start`, which stops the children in order,
      // one signal each (a second signal would cut a draining worker short).
      detached: true,
    });
    const prefix = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => `[${name}] ${l}`)
        .join('\n');
    child.stdout!.on('data', (c) => console.log(prefix(c)));
    child.stderr!.on('data', (c) => console.error(prefix(c)));
    child.on('exit', (code) => {
      if (!this.stopping) this.onUnexpectedExit(name, code);
    });
    this.children.push({ name, child });
    return child;
  }

  /** Last resort when the parent exits without a clean stop: no child may outlive it. */
  killAll(): void {
    for (const { child } of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** SIGTERM each child, last started first; SIGKILL one that has not exited after `graceMs`. */
  async stopAll(graceMs: number, log: (line: string) => void): Promise<void> {
    this.stopping = true;
    for (const { name, child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      // 'close' (not 'exit'): it comes after the child's last output has been read, so its goodbye is printed.
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        log(`${name} did not stop within ${graceMs / 1000}s: killing it`);
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      // A program without a handler (the Temporal UI's server) ends by the SIGTERM itself: that is the stop asked for.
      if (child.exitCode !== 0 && child.signalCode !== 'SIGTERM') log(`${name} exited with ${child.exitCode ?? child.signalCode}`);
      else log(`${name} stopped`);
    }
  }
}

/** Waits until `url` answers 200, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (!isAlive()) throw new Error(`the process behind ${url} exited`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
