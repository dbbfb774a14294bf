// Which build of the Temporal SDK's native core this process runs: the package's prebuilt one, or ours with the fix
// of scripts/core-bridge/README.md (a full workflow cache no longer drops a task that waits on a local activity),
// which scripts/obtain-core-bridge.sh puts in the prebuilt one's place. Told by comparing the binary the SDK loads
// with the hash that script wrote beside it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface CoreBridgeBuild {
  /** The binary the SDK loads (releases/<target>/index.node of @temporalio/core-bridge). */
  path: string;
  /** Our patched build, and which one (`<version>-<patch hash>`); undefined for the prebuilt binary. */
  patched?: string;
}

/** The binary the SDK loads in this process. */
export function loadedCoreBridgePath(): string {
  const require = createRequire(import.meta.url);
  const { getPrebuiltPath } = require('@temporalio/core-bridge/common.js') as { getPrebuiltPath: () => string };
  return getPrebuiltPath();
}

export function coreBridgeBuild(path = loadedCoreBridgePath()): CoreBridgeBuild {
  const marker = `${path}.patched`;
  if (!existsSync(marker)) return { path };
  const [id, sha256] = readFileSync(marker, 'utf8').trim().split(' ');
  const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
  return actual === sha256 ? { path, patched: id } : { path };
}

/** One line for the worker's start-up output. */
export function describeCoreBridge(build: CoreBridgeBuild): string {
  return build.patched
    ? `SDK core: patched build ${build.patched} (a full cache waits for a task's local activities; scripts/core-bridge/README.md)`
    : 'SDK core: the prebuilt one (a full workflow cache can drop a task that waits on a local activity: a 10 s stall; scripts/obtain-core-bridge.sh builds the fix)';
}
