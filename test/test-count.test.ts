// The count CI reads: scripts/test-count.mjs turns vitest's JSON report into `N passed, N failed, N skipped` as the
// last line, run as a real process on reports shaped like vitest's, and never lets a failure read as a pass.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'test-count.mjs');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

type Status = 'passed' | 'failed' | 'skipped' | 'pending';
function file(name: string, status: 'passed' | 'failed', tests: Status[], message = '') {
  return { name, status, message, assertionResults: tests.map((s, i) => ({ title: `t${i}`, status: s, failureMessages: [] })) };
}

function count(exitCode: number, opts: { step?: string; report?: object }) {
  const dir = mkdtempSync(join(tmpdir(), 'test-count-'));
  dirs.push(dir);
  if (opts.step) writeFileSync(join(dir, 'test-step'), `${opts.step}\n`);
  if (opts.report) writeFileSync(join(dir, 'vitest-report.json'), JSON.stringify(opts.report));
  const run = spawnSync(process.execPath, [SCRIPT, String(exitCode)], { env: { ...process.env, JOURNEY_TEST_ARTIFACTS: dir } });
  const lines = run.stdout.toString().trimEnd().split('\n');
  return { status: run.status, last: lines.at(-1), lines };
}

describe('the count at the end of npm test and CI', () => {
  it('counts passed, failed and skipped tests as the last line, and keeps the failing exit code', () => {
    const report = {
      testResults: [file('a.test.ts', 'passed', ['passed', 'passed', 'skipped']), file('b.test.ts', 'failed', ['failed', 'passed'])],
    };
    expect(count(1, { step: 'suite', report })).toMatchObject({ status: 1, last: '3 passed, 1 failed, 1 skipped' });
  });

  it('exits 0 on a green run', () => {
    const report = { testResults: [file('a.test.ts', 'passed', ['passed', 'skipped'])] };
    expect(count(0, { step: 'suite', report })).toMatchObject({ status: 0, last: '1 passed, 0 failed, 1 skipped' });
  });

  it('counts the tests of a file whose beforeAll failed as failed, not skipped', () => {
    const report = { testResults: [file('c.test.ts', 'failed', ['skipped', 'skipped', 'skipped'], 'Failed to start ephemeral server')] };
    const result = count(1, { step: 'suite', report });
    expect(result).toMatchObject({ status: 1, last: '0 passed, 3 failed, 0 skipped' });
    expect(result.lines.join('\n')).toContain('c.test.ts: failed outside its tests (Failed to start ephemeral server)');
  });

  it('a file that failed with no test in it (an import error) counts as one failure', () => {
    const report = { testResults: [file('d.test.ts', 'failed', [], 'Cannot find module')] };
    expect(count(1, { step: 'suite', report }).last).toBe('0 passed, 1 failed, 0 skipped');
  });

  it('a failing exit code with no failed test (an unhandled error) is one failure', () => {
    const report = { testResults: [file('a.test.ts', 'passed', ['passed'])] };
    const result = count(1, { step: 'suite', report });
    expect(result).toMatchObject({ status: 1, last: '1 passed, 1 failed, 0 skipped' });
    expect(result.lines.join('\n')).toContain('vitest exited with code 1 while no test failed');
  });

  it('a run stopped before the suite names the failed step and counts one failure', () => {
    const result = count(2, { step: 'lint' });
    expect(result).toMatchObject({ status: 2, last: '0 passed, 1 failed, 0 skipped' });
    expect(result.lines[0]).toContain('the "lint" step failed');
  });

  it('a missing report never reads as a pass, even when the exit code says 0', () => {
    expect(count(0, { step: 'suite' })).toMatchObject({ status: 1, last: '0 passed, 1 failed, 0 skipped' });
  });
});
