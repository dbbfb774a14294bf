// The replay's test server started from a class-data archive (cli/replay/test-server-cds.ts): built once into the
// cache folder, the wrapper it returns starts a server the SDK connects to as usual; anything it cannot read is
// started as given.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fastStartingTestServer } from '../cli/replay/test-server-cds.ts';
import { testServerPath } from '../cli/replay/test-server-path.ts';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';

const cache = mkdtempSync(join(tmpdir(), 'test-server-cds-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('the replay test server with a class-data archive', () => {
  it('builds the archive once, and its wrapper starts a time-skipping server the SDK drives', async () => {
    const original = testServerPath();
    const wrapper = await fastStartingTestServer(original, cache);
    expect(wrapper).not.toBe(original);
    expect(readFileSync(wrapper, 'utf8')).toMatch(
      /-XX:SharedArchiveFile='[^']+\.jsa' -Xshare:auto .*io\.temporal\.testserver\.TestServer "\$@"/,
    );
    expect(readdirSync(cache).filter((f) => f.endsWith('.jsa'))).toHaveLength(1);
    // Asked again, the same wrapper, nothing rebuilt.
    expect(await fastStartingTestServer(original, cache)).toBe(wrapper);
    expect(readdirSync(cache).sort()).toHaveLength(2);
    const env = await createTimeSkippingEnv(wrapper, { searchAttributes: true });
    try {
      const before = await env.currentTimeMs();
      await env.sleep('30 days');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 86_400_000);
    } finally {
      await env.teardown();
    }
  }, 120_000);

  it("a server it cannot read as the project's Java wrapper is started as given", async () => {
    const other = join(cache, 'native-test-server');
    writeFileSync(other, '#!/bin/sh\nexec /opt/temporal-test-server "$@"\n');
    expect(await fastStartingTestServer(other, join(cache, 'unused'))).toBe(other);
  });
});
