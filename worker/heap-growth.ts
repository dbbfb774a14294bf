// How far V8 lets a process's heap grow after each full garbage collection (JOURNEY_WORKER_HEAP_GROWTH_PERCENT for
// the worker, JOURNEY_API_HEAP_GROWTH_PERCENT for the API).
//
// After a full (mark-compact) collection, V8 sets the next one's trigger at the live heap times a factor. It picks
// the factor from how fast the process allocates against how fast it collects: the slower the allocation, the
// tighter the heap, down to 1.1x. Our worker and API allocate steadily but slowly at an everyday load (a few events a
// second), so V8 kept their heaps tight. Paced at 10 events a second, a worker with about 43 MB live ran a full
// collection about once a second (212 to 240 in a 150 s drive, and the API about as many). Each one took up to 40 ms of
// marking steps and a final pause, on the main thread every workflow task and activity passes through.
// With a fixed growth of 100 % (2x) the same drive ran 36-37; the p99 event → effect fell from 77 ms to 48-49 ms (raw
// 30-36), and the workers used about a fifth less CPU per event (bench/README.md, scale, stop 50). V8's flags are the
// process's, so the SDK's workflow threads take the same growth.
//
// The cost is memory: up to twice the live heap between collections. The worker's highest RSS while driven rose from
// 366 to 418-431 MB in those runs, the API's from 172 to 188; at rest V8 shrinks an idle heap either way. 0 leaves V8
// its own factor. The flag replaces V8's factor rather than raising its floor: where V8 would pick more than 2x (a
// high allocation rate on a large heap) the process now collects more often. Saturated, the dev server's end-to-end
// rate did not move (26.8 events/s against 26.1); the ingest bench, all in one process, leaned lower in two pairs.
import { setFlagsFromString } from 'node:v8';

/** The growth the worker and the API use unless their variable says otherwise: 2x the live heap. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 100;
const MAX_HEAP_GROWTH_PERCENT = 400;

/** The variable's value: a whole number of percent, 0 (V8's own factor) to 400; unset, the default. */
export function heapGrowthPercent(env: NodeJS.ProcessEnv, variable: string): number {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > MAX_HEAP_GROWTH_PERCENT)
    throw new Error(
      `${variable} must be a whole number of percent from 0 (V8's own growth) to ${MAX_HEAP_GROWTH_PERCENT}, got ${JSON.stringify(raw)}`,
    );
  return value;
}

/**
 * Sets this process's heap growth (V8's --heap-growing-percent). V8 reads it each time a full collection sets the
 * next one's trigger, so it applies from the process's next full collection on; call it at start-up. 0 changes nothing.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** One line for the start-up output. */
export function describeHeapGrowth(percent: number, variable: string): string {
  return percent > 0
    ? `heap grows to ${(1 + percent / 100).toFixed(1)}x its live size between full collections (${variable})`
    : `heap growth left to V8 (${variable}=0)`;
}
