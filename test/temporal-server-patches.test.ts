// The production topology runs the Temporal server with our patches (scripts/cluster/temporal-server-patches): the
// server the suite was handed (TEMPORAL_SERVER_PATH, from scripts/test.sh) must be the build of today's patches, and
// that build must have run each Go test the patches add and passed it (the matching fix's in each of matching's three
// engine suites). The Go tests are what fail without the patches (the matching fix's did on the unpatched source: the
// poll the task was matched to got nothing; the claim mapper's, where the server knows no "tls-subject");
// scripts/cluster/obtain-temporal-server.sh refuses to build a server whose patches fail them.
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

/** The matching-suite tests a patch adds (`func (s *matchingEngineSuite) TestX(`), from its added lines: each runs in
 *  matching's three engine suites. */
function addedSuiteTests(patchText: string): string[] {
  return [...patchText.matchAll(/^\+func \(s \*matchingEngineSuite\) (Test\w+)\(/gm)].map((m) => m[1]);
}

/** The plain Go tests a patch adds (`func TestX(t *testing.T)`). */
function addedPlainTests(patchText: string): string[] {
  return [...patchText.matchAll(/^\+func (Test\w+)\(t \*testing\.T\)/gm)].map((m) => m[1]);
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
    // Every patch adds a Go test, and every test it adds ran and passed.
    for (const text of texts) expect(addedSuiteTests(text).length + addedPlainTests(text).length).toBeGreaterThan(0);
    for (const test of texts.flatMap(addedSuiteTests))
      for (const suite of SUITES) expect(log).toContain(`--- PASS: TestMatchingEngine_${suite}_Suite/${test} `);
    for (const test of texts.flatMap(addedPlainTests)) expect(log).toMatch(new RegExp(`^--- PASS: ${test} `, 'm'));
    expect(log).not.toContain('--- FAIL');
  });
});
