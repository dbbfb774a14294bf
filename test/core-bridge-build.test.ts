// Which SDK core the worker says it runs (worker/core-bridge.ts): the patched build only when the binary is the very
// one scripts/obtain-core-bridge.sh put in place (its hash written beside it), the prebuilt one otherwise.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreBridgeBuild, describeCoreBridge } from '../worker/core-bridge.ts';

describe('the SDK core a worker reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'core-bridge-build-'));
  const binary = join(dir, 'index.node');
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('is the patched build when the binary matches the hash beside it, the prebuilt one otherwise', () => {
    try {
      writeFileSync(binary, 'patched bytes');
      expect(coreBridgeBuild(binary)).toEqual({ path: binary }); // no marker: as shipped
      writeFileSync(`${binary}.patched`, `1.24.0-abc123 ${sha('patched bytes')}\n`);
      expect(coreBridgeBuild(binary)).toEqual({ path: binary, patched: '1.24.0-abc123' });
      expect(describeCoreBridge(coreBridgeBuild(binary))).toMatch(/^SDK core: patched build 1\.24\.0-abc123/);
      writeFileSync(binary, 'prebuilt bytes'); // npm install put the prebuilt binary back; the marker stayed
      expect(coreBridgeBuild(binary)).toEqual({ path: binary });
      expect(describeCoreBridge(coreBridgeBuild(binary))).toMatch(/^SDK core: the prebuilt one/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the binary this process loads', () => {
    expect(coreBridgeBuild().path).toMatch(/@temporalio\/core-bridge\/releases\/[^/]+\/index\.node$/);
  });
});
