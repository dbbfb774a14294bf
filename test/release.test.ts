// The release constant workflow code sets as JourneyRelease (workflows/release.ts) is the package's version: a
// release bump that forgets one of them would file new runs under the wrong release, and the replay test would
// look for the wrong folder of histories.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELEASE } from '../workflows/release.ts';

describe('release', () => {
  it("workflows/release.ts's RELEASE is package.json's version, and the CHANGELOG has its entry", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(RELEASE).toBe(pkg.version);
    expect(readFileSync('CHANGELOG.md', 'utf8')).toContain(`## ${RELEASE}`);
  });
});
