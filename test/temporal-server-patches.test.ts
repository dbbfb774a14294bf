// The production topology runs the Temporal server with our patches (scripts/cluster/temporal-server-patches): the
// server the suite was handed (TEMPORAL_SERVER_PATH, from scripts/test.sh) must be the build of today's patches, and
// that build must have run each Go test the patches add, passing in each of matching's three engine suites. The Go
// tests are what fail without the fix (they did on the unpatched source: the poll the task was matched to got
// nothing); scripts/cluster/obtain-temporal-server.sh refuses to build a server whose patches fail them.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const PATCH_DIR = 'scripts/cluster/temporal-server-patches';
const SUITES = ['Classic', 'Pri', 'Fair'];
const serverPath = process.env.TEMPORAL_SERVER_PATH;
const patches = readdirSync(PATCH_DIR)
  .filter((f) => f.endsWith('.patch'))
  .sort();

/** The Go test functions a patch adds (`func (s *matchingEngineSuite) TestX(`), from its added lines. */
function addedTests(patchText: string): string[] {
  return [...patchText.matchAll(/^\+func \(s \*matchingEngineSuite\) (Test\w+)\(/gm)].map((m) => m[1]);
}

describe('the Temporal server of the production topology', () => {
  const title = 'is the build of our patches, and that build passed the Go tests they add';
  it.skipIf(!serverPath)(serverPath ? title : `${title} (SKIPPED: TEMPORAL_SERVER_PATH is not set; npm test sets it)`, () => {
    expect(patches.length).toBeGreaterThan(0);
    const texts = patches.map((p) => readFileSync(join(PATCH_DIR, p), 'utf8'));
    // The key the obtain script gives the build of today's patches (their content's hash).
    const key = execFileSync('bash', ['scripts/cluster/obtain-temporal-server.sh', '--patch-key'], {
      env: { ...process.env, TEMPORAL_SERVER_VERSION: '' },
    })
      .toString()
      .trim();
    expect(key).toMatch(/^[0-9a-f]{12}$/);
    const dir = dirname(serverPath!);
    expect(basename(dir)).toBe(`temporal-server-v1.29.1-patched-${key}`);
    expect(readFileSync(join(dir, 'PATCHES'), 'utf8').trim().split('\n')).toEqual(patches);

    const log = readFileSync(join(dir, 'patch-tests.log'), 'utf8');
    const tests = texts.flatMap(addedTests);
    expect(tests.length).toBeGreaterThan(0);
    for (const test of tests) for (const suite of SUITES) expect(log).toContain(`--- PASS: TestMatchingEngine_${suite}_Suite/${test} `);
    expect(log).not.toContain('--- FAIL');
  });
});
