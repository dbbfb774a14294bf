// The project's cache folder: $JOURNEY_ENGINE_CACHE, or ~/.cache/journey-engine (as the obtain scripts use it).
// Read by the CLI's replay (its bundles, the test server's archive) and by tests.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The cache folder, or `sub` inside it. */
export function engineCacheDir(...sub: string[]): string {
  return join(process.env.JOURNEY_ENGINE_CACHE ?? join(homedir(), '.cache', 'journey-engine'), ...sub);
}
