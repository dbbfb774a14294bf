// The replay's cached workflow bundle (cli/replay/bundle.ts) is never stale: a changed workflow source, a new file
// next to the sources, other bundler options or other installed packages name a different bundle; a file the bundle
// holds that changed outside the keyed folders is caught on load; the cache can be turned off. The bundles are built
// for real by the SDK's bundler from a copy of this repository's sources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../definitions/loader.ts';
import { replayBundle, replayBundleKey } from '../cli/replay/bundle.ts';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'replay-bundle-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the bundle key', () => {
  let root: string;
  beforeAll(() => {
    root = join(scratch, 'keyed');
    mkdirSync(join(root, 'workflows'), { recursive: true });
    writeFileSync(join(root, 'workflows', 'index.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'package-lock.json'), '{"packages":{"node_modules/mustache":{"version":"4.2.0"}}}');
  });
  const key = (options: object = { workflowsPath: 'x' }) => replayBundleKey(root, options, ['workflows']);

  it('is the same for the same inputs', () => {
    expect(key()).toBe(key());
  });

  it('changes when a workflow source changes', () => {
    const before = key();
    appendFileSync(join(root, 'workflows', 'index.ts'), 'export const b = 2;\n');
    expect(key()).not.toBe(before);
  });

  it('changes when a file is added next to the sources (an import may now resolve to it)', () => {
    const before = key();
    writeFileSync(join(root, 'workflows', 'helper.ts'), '');
    expect(key()).not.toBe(before);
  });

  it('changes with the bundler options', () => {
    expect(key({ workflowsPath: 'y' })).not.toBe(key({ workflowsPath: 'x' }));
  });

  it('changes when another version of a package is installed', () => {
    const before = key();
    writeFileSync(join(root, 'package-lock.json'), '{"packages":{"node_modules/mustache":{"version":"4.2.1"}}}');
    expect(key()).not.toBe(before);
  });
});

describe('the cached replay bundle, built from a copy of the sources', () => {
  let root: string;
  let cacheDir: string;
  beforeAll(() => {
    root = join(scratch, 'checkout');
    for (const dir of ['workflows', 'definitions', 'cli/replay']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    cacheDir = join(scratch, 'cache');
  });
  const workflowsPath = () => join(root, 'cli/replay/workflows.ts');

  it('is built once, then read from the cache; a changed workflow source gives a new bundle with the change', async () => {
    const first = await replayBundle({ root, workflowsPath: workflowsPath(), cacheDir });
    expect(first.from).toBe('build');
    const again = await replayBundle({ root, workflowsPath: workflowsPath(), cacheDir });
    expect(again).toEqual({ ...first, from: 'cache' });

    appendFileSync(join(root, 'workflows', 'patches.ts'), "\nexport const BUNDLE_PROBE = 'changed-workflow-source-7f3a';\n");
    const changed = await replayBundle({ root, workflowsPath: workflowsPath(), cacheDir });
    expect(changed.from).toBe('build');
    expect(changed.file).not.toBe(first.file);
    expect(first.code).not.toContain('changed-workflow-source-7f3a');
    expect(changed.code).toContain('changed-workflow-source-7f3a');
  }, 180_000);

  it('is rebuilt when a file it holds changed outside the keyed folders', async () => {
    // Key only workflows/: definitions/duration.ts is in the bundle but not in the key, so only the check of the
    // bundle's own list of inputs can notice that it changed.
    const opts = { root, workflowsPath: workflowsPath(), cacheDir, sourceDirs: ['workflows'] };
    const before = await replayBundle(opts);
    expect((await replayBundle(opts)).from).toBe('cache');
    appendFileSync(join(root, 'definitions', 'duration.ts'), "\nexport const BUNDLE_PROBE_2 = 'changed-outside-the-key-91c2';\n");
    const after = await replayBundle(opts);
    expect(after.file).toBe(before.file);
    expect(after.from).toBe('build');
    expect(after.code).toContain('changed-outside-the-key-91c2');
  }, 180_000);

  it('keeps at most 8 bundles', () => {
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.js')).length).toBeLessThanOrEqual(8);
  });

  it('is not read nor written with JOURNEY_REPLAY_NO_BUNDLE_CACHE=1', async () => {
    const home = join(scratch, 'engine-cache');
    const saved = { off: process.env.JOURNEY_REPLAY_NO_BUNDLE_CACHE, home: process.env.JOURNEY_ENGINE_CACHE };
    process.env.JOURNEY_REPLAY_NO_BUNDLE_CACHE = '1';
    process.env.JOURNEY_ENGINE_CACHE = home;
    try {
      const bundle = await replayBundle({ root, workflowsPath: workflowsPath() });
      expect(bundle.from).toBe('build');
      expect(existsSync(join(home, 'bundles'))).toBe(false);
    } finally {
      for (const [name, value] of [
        ['JOURNEY_REPLAY_NO_BUNDLE_CACHE', saved.off],
        ['JOURNEY_ENGINE_CACHE', saved.home],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  }, 180_000);
});
