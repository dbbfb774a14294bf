// A Node process run to its exit, its stdout and stderr together: for the worker's and the API's start-up checks,
// which refuse a bad setting before they touch Temporal (TEMPORAL_ADDRESS points nowhere unless the caller says, and
// a process that gets that far tries it once: JOURNEY_TEMPORAL_CONNECT_WAIT_S=0, worker/temporal-connect.ts).
import { spawn } from 'node:child_process';

export function runNode(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', JOURNEY_TEMPORAL_CONNECT_WAIT_S: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    child.once('exit', (code) => resolve({ code, output }));
  });
}
