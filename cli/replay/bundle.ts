// The replay's workflow bundle, built once per change of anything in it and kept under ~/.cache/journey-engine/bundles
// (or JOURNEY_ENGINE_CACHE; JOURNEY_REPLAY_NO_BUNDLE_CACHE=1 builds it every time). Bundling takes 1-3 s (7 s under
// load), as long as a whole 90-day simulation, so `journey simulate` and `journey backtest` reuse it.
//
// A stale bundle must be impossible, so two checks guard it:
// - the file name is a hash of every input the bundler takes: this checkout's path (the source map names its files),
//   the bundler options, the installed packages (npm's record of the installed tree: the SDK, webpack, swc and every
//   library the workflows import, with their versions) and the name and content of every file under the source folders
//   (a new file can change what an import resolves to);
// - the bundle's first line lists every file webpack read into it (from its source map) with a hash of each, checked on
//   every load: a file outside those folders (a library edited in node_modules, a new import from elsewhere) that
//   changed since the build forces a rebuild too.
import { bundleWorkflowCode } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { engineCacheDir } from '../engine-cache.ts';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../definitions/loader.ts';

export const REPLAY_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.ts', import.meta.url));
/** Bump when what this module writes changes shape: older cached files are then never read. */
const CACHE_FORMAT = 2;
const MANIFEST_PREFIX = '// journey-engine bundle inputs: ';
/** How many bundles the cache keeps (the most recently used); each is ~3 MB. */
const KEEP_BUNDLES = 8;

export interface ReplayBundleOptions {
  /** The checkout whose sources are bundled; default this repository. */
  root?: string;
  /** The bundle's entry (absolute); default `root`/cli/replay/workflows.ts. */
  workflowsPath?: string;
  /** Folders (under `root`) whose every file keys the bundle; default the ones the replay bundle imports from. */
  sourceDirs?: string[];
  /** Where bundles are kept; `null` builds every time. Default ~/.cache/journey-engine/bundles, or none when
   *  JOURNEY_REPLAY_NO_BUNDLE_CACHE is set. */
  cacheDir?: string | null;
}

export interface ReplayBundle {
  code: string;
  /** Where the bundle came from: the cache, or a build (then cached unless the cache is off). */
  from: 'cache' | 'build';
  /** The cached file (absent when the cache is off). */
  file?: string;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : [path];
  });
}

function fileHash(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** npm's record of what is installed (node_modules/.package-lock.json), else the lockfile. */
function installedPackages(root: string): Buffer {
  for (const file of [join(root, 'node_modules', '.package-lock.json'), join(root, 'package-lock.json')]) {
    if (existsSync(file)) return readFileSync(file);
  }
  return Buffer.from('no lockfile');
}

/** The hash that names the bundle: every input the bundler takes, described in the header comment. */
export function replayBundleKey(root: string, bundlerOptions: object, sourceDirs: string[]): string {
  const hash = createHash('sha256');
  hash.update(`format ${CACHE_FORMAT}\0root ${root}\0options ${JSON.stringify(bundlerOptions)}\0node_modules\0`);
  hash.update(installedPackages(root));
  for (const file of sourceDirs.flatMap((d) => sourceFiles(join(root, d))).sort()) {
    hash.update(`\0${relative(root, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

/** Every file on disk the bundle was built from, read from its inline source map, with its content hash. */
function bundleInputs(code: string): Record<string, string> {
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  if (at < 0) throw new Error('the workflow bundle has no inline source map: cannot tell which files it holds');
  const map = JSON.parse(Buffer.from(code.slice(code.indexOf('base64,', at) + 7).trimEnd(), 'base64').toString()) as {
    sources: string[];
  };
  const inputs: Record<string, string> = {};
  for (const source of map.sources) {
    if (!source.startsWith('/')) continue; // webpack's own runtime, and modules aliased away
    const hash = fileHash(source);
    if (hash) inputs[source] = hash;
  }
  return inputs;
}

/** The cached bundle's code if every file it was built from is unchanged, else undefined. */
function readCached(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const eol = text.indexOf('\n');
  if (!text.startsWith(MANIFEST_PREFIX) || eol < 0) return undefined;
  let inputs: Record<string, string>;
  try {
    inputs = JSON.parse(text.slice(MANIFEST_PREFIX.length, eol)) as Record<string, string>;
  } catch {
    return undefined;
  }
  if (Object.keys(inputs).length === 0) return undefined;
  for (const [path, hash] of Object.entries(inputs)) if (fileHash(path) !== hash) return undefined;
  return text.slice(eol + 1);
}

/** Keeps the most recently used bundles (a hit touches its file), so the cache does not grow with every edit. */
function pruneCache(cacheDir: string, keep: string) {
  try {
    const bundles = readdirSync(cacheDir)
      .filter((f) => /^replay-.*\.js$/.test(f) && join(cacheDir, f) !== keep)
      .map((f) => ({ path: join(cacheDir, f), used: statSync(join(cacheDir, f)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const old of bundles.slice(KEEP_BUNDLES - 1)) rmSync(old.path, { force: true });
  } catch {
    /* another process pruned at the same time: nothing to do */
  }
}

function defaultCacheDir(): string | null {
  if (process.env.JOURNEY_REPLAY_NO_BUNDLE_CACHE) return null;
  return engineCacheDir('bundles');
}

/** The bundle's code: from the cache when nothing that went into it changed, else built and cached (written, renamed). */
export async function replayBundle(opts: ReplayBundleOptions = {}): Promise<ReplayBundle> {
  const root = opts.root ?? REPO_ROOT;
  const workflowsPath = opts.workflowsPath ?? join(root, relative(REPO_ROOT, REPLAY_WORKFLOWS_PATH));
  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
  // The options passed to the bundler, all of them: any change to them is a change of key.
  const bundlerOptions = { workflowsPath };
  const sourceDirs = opts.sourceDirs ?? ['workflows', 'definitions', 'cli/replay'];
  let file: string | undefined;
  if (cacheDir) {
    file = join(cacheDir, `replay-${replayBundleKey(root, bundlerOptions, sourceDirs)}.js`);
    const code = readCached(file);
    if (code !== undefined) {
      const now = new Date();
      utimesSync(file, now, now);
      return { code, from: 'cache', file };
    }
  }
  const { code } = await bundleWorkflowCode({
    ...bundlerOptions,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
  });
  if (!cacheDir || !file) return { code, from: 'build' };
  // A source saved while webpack ran may or may not be in this code: keep such a bundle out of the cache.
  if (file !== join(cacheDir, `replay-${replayBundleKey(root, bundlerOptions, sourceDirs)}.js`)) return { code, from: 'build' };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${MANIFEST_PREFIX}${JSON.stringify(bundleInputs(code))}\n${code}`);
  renameSync(tmp, file);
  pruneCache(cacheDir, file);
  return { code, from: 'build', file };
}
