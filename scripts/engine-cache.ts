// The project's cache folder: $JOURNEY_ENGINE_CACHE, or ~/.cache/journey-engine (as the obtain scripts use it).
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The cache folder, or `sub` inside it. */
export function engineCacheDir(...sub: string[]): string {
  return join(process.env.JOURNEY_ENGINE_CACHE ?? join(homedir(), '.cache', 'journey-engine'), ...sub);
}
