// Which malloc a worker or API process runs with. A worker's memory at rest is mostly native and V8 memory freed after
// bursts of work; glibc's malloc keeps much of it (worker RSS at rest after the same 1,000-customer load: 438 and
// 640 MB in two runs), jemalloc gives it back (370 and 421 MB: bench/README.md, "scale"). The API is the same kind of
// process (the Temporal client's native core, bursts of requests). The allocator is chosen when the process starts
// (LD_PRELOAD), so the launchers (npm start, npm run start:cluster) set it for the workers (JOURNEY_WORKER_ALLOCATOR)
// and the APIs (JOURNEY_API_ALLOCATOR) they spawn; a deployment that starts worker/main.ts or api/main.ts itself sets
// LD_PRELOAD the same way (docs/production.md).
import { existsSync, readFileSync } from 'node:fs';

/** Where Debian's, Ubuntu's and Fedora's `libjemalloc2` packages put the library. */
export const JEMALLOC_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
];

export type AllocatorChoice = 'auto' | 'jemalloc' | 'system';

export interface ProcessAllocator {
  /** Added to the process's environment: LD_PRELOAD with jemalloc first, or nothing. */
  env: Record<string, string>;
  /** One line for the launcher's output. */
  note: string;
}

/** The environment a launcher gives a worker process (JOURNEY_WORKER_ALLOCATOR): see processAllocator. The APIs'
 *  (JOURNEY_API_ALLOCATOR) is apiAllocator in scripts/start-processes.ts, beside the launchers that read it. */
export function workerAllocator(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): ProcessAllocator {
  return processAllocator('JOURNEY_WORKER_ALLOCATOR', env, exists);
}

/**
 * The environment a launcher gives a process for its variable: `auto` (the default) preloads jemalloc where it is
 * installed and keeps the system's malloc elsewhere; `jemalloc` requires it (an error names the paths looked at);
 * `system` never preloads it. An LD_PRELOAD already set is kept, after jemalloc.
 */
export function processAllocator(
  variable: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): ProcessAllocator {
  const raw = (env[variable] ?? 'auto').trim() || 'auto';
  if (raw !== 'auto' && raw !== 'jemalloc' && raw !== 'system')
    throw new Error(`${variable} must be auto, jemalloc or system, got ${JSON.stringify(raw)}`);
  if (raw === 'system') return { env: {}, note: `the system's malloc (${variable}=system)` };
  const lib = JEMALLOC_PATHS.find((p) => exists(p));
  if (!lib) {
    if (raw === 'jemalloc')
      throw new Error(
        `${variable}=jemalloc, but libjemalloc.so.2 is in none of ${JEMALLOC_PATHS.join(', ')} (Debian: apt-get install libjemalloc2)`,
      );
    return { env: {}, note: "the system's malloc (libjemalloc2 is not installed; apt-get install libjemalloc2 keeps RSS lower)" };
  }
  const preload = [lib, ...(env.LD_PRELOAD ?? '').split(/[\s:]+/).filter((p) => p && p !== lib)].join(':');
  return { env: { LD_PRELOAD: preload }, note: `jemalloc (${lib})` };
}

/** Whether this process runs with jemalloc: the library is mapped into it (Linux; false where /proc is missing). */
export function runsWithJemalloc(mapsFile = '/proc/self/maps'): boolean {
  try {
    return readFileSync(mapsFile, 'utf8').includes('libjemalloc');
  } catch {
    return false;
  }
}
