// The obtain scripts' build route (scripts/cluster/go-install.sh, sourced by scripts/obtain-temporal.sh and
// scripts/cluster/obtain-temporal-ui.sh): `go install`, once more with GOSUMDB=off when that fails (the checksum
// database is out of reach on a machine without internet), and a worded exit when both fail, with nothing half-built
// left in the cache. A real build takes minutes and the network's answer, so `go` here is a script on PATH that
// fails or builds as each case asks and logs how it was called.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

// FAKE_GO=fail: every install fails as an unreachable checksum database does; FAKE_GO=sumdb: it fails unless
// GOSUMDB=off, then writes each package's binary (named as go names it: the path's last element) into $GOBIN.
const FAKE_GO = `#!/bin/bash
echo "GOSUMDB=\${GOSUMDB:-} GOTOOLCHAIN=\${GOTOOLCHAIN:-} GOBIN=\${GOBIN:-} $*" >> "$FAKE_GO_LOG"
[ "$1" = install ] || exit 2
shift
if [ "$FAKE_GO" = fail ] || [ "\${GOSUMDB:-}" != off ]; then
  echo "verifying module: checksum database not reachable (fake go)" >&2
  exit 1
fi
mkdir -p "$GOBIN"
for pkg in "$@"; do
  name=$(basename "\${pkg%@*}")
  printf '#!/bin/sh\\necho "%s built by fake go"\\n' "$name" > "$GOBIN/$name"
  chmod +x "$GOBIN/$name"
done
`;

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], mode: 'fail' | 'sumdb') {
  dir = mkdtempSync(join(tmpdir(), 'obtain-go-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'go'), FAKE_GO);
  chmodSync(join(bin, 'go'), 0o755);
  const cache = join(dir, 'cache');
  const log = join(dir, 'go.log');
  // Only the fake go, and no Temporal found elsewhere: not on PATH, not set by the caller's shell.
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, JOURNEY_ENGINE_CACHE: cache, FAKE_GO: mode, FAKE_GO_LOG: log };
  return new Promise<{ code: number; stdout: string; stderr: string; calls: string[]; cache: string }>((done) =>
    execFile('bash', [script, ...args], { cwd: ROOT, env }, (err, stdout, stderr) =>
      done({
        code: err ? ((err as { code?: number }).code ?? -1) : 0,
        stdout,
        stderr,
        calls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [],
        cache,
      }),
    ),
  );
}

/** What the scripts left in the cache folder besides the finished builds: a half-built folder would be listed here. */
const leftovers = (cache: string) => (existsSync(cache) ? readdirSync(cache).filter((f) => f.startsWith('.')) : []);

describe('obtain scripts: go install and its one fallback', () => {
  it('the Temporal CLI: retried with GOSUMDB=off when the checksum database is out of reach, then cached', async () => {
    const r = await run('scripts/obtain-temporal.sh', ['cli'], 'sumdb');
    expect(r.stderr).toContain('retrying with GOSUMDB=off');
    expect(r.code).toBe(0);
    expect(r.calls).toHaveLength(2);
    expect(r.calls[0]).toMatch(/^GOSUMDB= GOTOOLCHAIN=local GOBIN=\S+ install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1$/);
    expect(r.calls[1]).toMatch(/^GOSUMDB=off GOTOOLCHAIN=local /);
    const cli = join(r.cache, 'temporal-cli-v1.5.1', 'temporal');
    expect(r.stdout.trim()).toBe(`export TEMPORAL_CLI_PATH='${cli}'`);
    expect(readFileSync(cli, 'utf8')).toContain('temporal built by fake go');
    expect(leftovers(r.cache)).toEqual([]);
  });

  it('the Temporal CLI: both tries failing end the script with the way out, the build folder removed', async () => {
    const r = await run('scripts/obtain-temporal.sh', ['cli'], 'fail');
    expect(r.code).toBe(1);
    expect(r.calls).toHaveLength(2);
    expect(r.stderr).toContain('checksum database not reachable (fake go)');
    expect(r.stderr).toContain('no route left to build the Temporal CLI here. Set TEMPORAL_CLI_PATH');
    expect(r.stdout).toBe('');
    expect(existsSync(join(r.cache, 'temporal-cli-v1.5.1'))).toBe(false);
    expect(leftovers(r.cache)).toEqual([]);
  });

  it('the Temporal UI server: the same route, its binary renamed into the cache', async () => {
    const ok = await run('scripts/cluster/obtain-temporal-ui.sh', [], 'sumdb');
    expect(ok.code).toBe(0);
    expect(ok.calls.map((c) => c.split(' ')[0])).toEqual(['GOSUMDB=', 'GOSUMDB=off']);
    const ui = join(ok.cache, 'temporal-ui-server-v2.42.1', 'temporal-ui-server');
    expect(ok.stdout.trim()).toBe(`export TEMPORAL_UI_SERVER_PATH='${ui}'`);
    expect(leftovers(ok.cache)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });

    const failed = await run('scripts/cluster/obtain-temporal-ui.sh', [], 'fail');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('no route left to build the Temporal UI server here. Set TEMPORAL_UI_SERVER_PATH.');
    expect(leftovers(failed.cache)).toEqual([]);
  });
});
