// The replay's workflow bundle, built once per change of the code in it and kept under ~/.cache/journey-engine/
// (or JOURNEY_ENGINE_CACHE; bundling takes 1-3 s, as long as a short simulation itself). The key hashes every source file the bundle can
// include (workflows/, definitions/ and this folder) and the installed SDK version, so a stale bundle is never used.
import { bundleWorkflowCode } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../definitions/loader.ts';

export const REPLAY_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.ts', import.meta.url));
const SOURCE_DIRS = ['workflows', 'definitions', 'cli/replay'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|json)$/.test(e.name) ? [path] : [];
  });
}

function bundleKey(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(REPO_ROOT, 'node_modules/@temporalio/workflow/package.json')));
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(join(REPO_ROOT, d))).sort()) {
    hash.update(file.slice(REPO_ROOT.length)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}

/** The bundle's code: from the cache when the sources are unchanged, else built and cached (written then renamed). */
export async function replayBundle(
  cacheDir = join(process.env.JOURNEY_ENGINE_CACHE ?? join(homedir(), '.cache', 'journey-engine'), 'bundles'),
) {
  const file = join(cacheDir, `replay-${bundleKey()}.js`);
  try {
    return { code: readFileSync(file, 'utf8') };
  } catch {
    /* not built yet */
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: REPLAY_WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
  });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return { code };
}
