// The child processes of `npm start` (worker, API): output prefixed with their name, one unexpected exit
// stops everything, and a stop sends SIGTERM in reverse start order so in-flight work drains first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { processAllocator, type ProcessAllocator } from '../worker/allocator.ts';

/** The environment a launcher gives an API process for JOURNEY_API_ALLOCATOR (auto, jemalloc or system, as the
 *  workers' JOURNEY_WORKER_ALLOCATOR: worker/allocator.ts). */
export function apiAllocator(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): ProcessAllocator {
  return processAllocator('JOURNEY_API_ALLOCATOR', env, exists);
}

export class ProcessGroup {
  private readonly children: Array<{ name: string; child: ChildProcess }> = [];
  stopping = false;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null) => void) {}

  /** Runs `script` (a TypeScript file, with tsx) or a program with its arguments. */
  run(name: string, script: string | { command: string; args: string[] }, env: Record<string, string>): ChildProcess {
    const [command, args] = typeof script === 'string' ? [process.execPath, ['--import', 'tsx', script]] : [script.command, script.args];
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
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
