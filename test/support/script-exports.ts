// The obtain scripts (scripts/obtain-temporal.sh, scripts/cluster/obtain-*.sh) print what they found as shell
// `export NAME='value'` lines for `eval`; a node caller takes the same lines into its own environment.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs `bash <script> <args>` from the repository's root (its progress on our stderr) and sets every variable it exports. */
export function importScriptExports(script: string, args: string[] = []): void {
  const out = execFileSync('bash', [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  for (const m of out.matchAll(/export (\w+)='([^']*)'/g)) process.env[m[1]] = m[2];
}
