// What the memory benchmarks (bench/tracking-keys.ts, bench/answer-cache.ts) measure with: the bytes a process holds
// after a full collection, and their one argument, a count within bounds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** V8 heap in use plus array buffers, after two full collections (the second frees what the first's finalizers let go). */
export function heldBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The benchmark's count argument (argv[2]) or its default; out of bounds it says so and exits 2. */
export function countArgument(fallback: number, min: number, max: number): number {
  const n = Number(process.argv[2] ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`N must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${process.argv[2]}`);
    process.exit(2);
  }
  return n;
}
