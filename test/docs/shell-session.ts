// One bash per doc file, as a reader's terminal: steps run one after another in the same shell (a variable set in
// one block holds in the next), each with its own output, exit code and the HTTP status of every curl call (a
// `curl` first on PATH records them, then runs the real one unchanged).
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CurlCall {
  status: number;
  method: string;
}

export interface StepResult {
  code: number;
  out: string;
  err: string;
  calls: CurlCall[];
}

function curlRecorder(dir: string, log: string): void {
  const real = execFileSync('bash', ['-c', 'command -v curl']).toString().trim();
  const script = `#!/usr/bin/env bash
# Records the status and method of each call for the doc runner, then behaves as curl does.
headers=$(mktemp)
method=GET
prev=
for a in "$@"; do
  case "$prev" in -X|--request) method=$a ;; esac
  case "$a" in -d|--data|--data-*|-F|--form) [ "$method" = GET ] && method=POST ;; esac
  prev=$a
done
${real} --max-time 30 -D "$headers" "$@"
rc=$?
status=$(awk 'toupper($1) ~ /^HTTP/ { s = $2 } END { print s }' "$headers")
rm -f "$headers"
echo "\${status:-0} $method" >> ${JSON.stringify(log)}
exit $rc
`;
  writeFileSync(join(dir, 'curl'), script);
  chmodSync(join(dir, 'curl'), 0o755);
}

export class ShellSession {
  private readonly bash: ChildProcessWithoutNullStreams;
  private readonly dir = mkdtempSync(join(tmpdir(), 'doc-shell-'));
  private readonly log = join(this.dir, 'curl.log');
  private stdout = '';
  private steps = 0;

  constructor(cwd: string, env: Record<string, string>) {
    const bin = join(this.dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(this.log, '');
    curlRecorder(bin, this.log);
    this.bash = spawn('bash', ['--noprofile', '--norc'], {
      cwd,
      env: { ...process.env, ...env, PATH: `${bin}:${env.PATH ?? process.env.PATH}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.bash.stdout.on('data', (c) => (this.stdout += c));
    this.bash.stderr.on('data', () => undefined);
  }

  /** Runs `script` in the session (stdin from /dev/null) and returns what it printed and answered. */
  async run(script: string, timeoutMs: number): Promise<StepResult> {
    const n = ++this.steps;
    const out = join(this.dir, `${n}.out`);
    const err = join(this.dir, `${n}.err`);
    const before = readFileSync(this.log, 'utf8').length;
    const marker = `@@doc-step-${n}:`;
    this.bash.stdin.write(`{\n${script}\n} </dev/null >${JSON.stringify(out)} 2>${JSON.stringify(err)}; echo "${marker}$?"\n`);
    const deadline = Date.now() + timeoutMs;
    let code: number | undefined;
    while (code === undefined) {
      const m = new RegExp(`${marker}(\\d+)`).exec(this.stdout);
      if (m) code = Number(m[1]);
      else if (this.bash.exitCode !== null) throw new Error(`the shell exited (${this.bash.exitCode}) during:\n${script}`);
      else if (Date.now() > deadline)
        throw new Error(`no end within ${timeoutMs / 1000}s of:\n${script}\noutput so far:\n${readFileSync(out, 'utf8')}`);
      else await new Promise((r) => setTimeout(r, 100));
    }
    const calls = readFileSync(this.log, 'utf8')
      .slice(before)
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [status, method] = l.split(' ');
        return { status: Number(status), method };
      });
    return { code, out: readFileSync(out, 'utf8'), err: readFileSync(err, 'utf8'), calls };
  }

  /** Ends the shell and every job it started in the background (a doc's `… &`). */
  close(): void {
    this.bash.stdin.write('kill $(jobs -p) 2>/dev/null; exit 0\n');
    this.bash.stdin.end();
  }
}
