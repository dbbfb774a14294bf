// What the tracking writer's key memory costs a process (activities/tracking/recent-keys.ts): N keys of the shape the
// interpreter writes, held by ours (96-bit fingerprints in typed arrays) and by the raw baseline (the strings in an
// insertion-ordered Set, as the writer held them before). Prints the memory each holds once full (heap and array
// buffers after a full GC) and the time per add and per lookup, with the ratios. Bounded: N keys, then N + N/4 more
// added (the oldest forgotten), then N lookups; one process, the sides one after the other.
//
//   node --import tsx bench/tracking-keys.ts [N]        (N defaults to 200,000: the writer's bound)
import { RecentKeys } from '../activities/tracking/recent-keys.ts';
import { StringKeys } from '../test/support/string-keys.ts';
import { countArgument, heldBytes } from './heap-measure.ts';

const N = countArgument(200_000, 1000, 2_000_000);

/** A key as the writer gets it: parsed out of a log line (a flat string), in the interpreter's shape. */
function keyAt(n: number): string {
  const stages = ['delight', 'qualified', 'ask.sent', 'ask.moved', 'reward.issued'];
  const line = `{"key":"journey:nps-promoter-referral:mxa8w1wr-c${n}:9fe56bf5:${1 + (n % 3)}:${stages[n % 5]}:${n % 11}"}`;
  return (JSON.parse(line) as { key: string }).key;
}

interface KeySet {
  add(key: string): void;
  has(key: string): boolean;
}

function measure(make: () => KeySet): { bytes: number; addNs: number; hasNs: number; found: number } {
  const before = heldBytes();
  const set = make();
  const total = N + Math.floor(N / 4);
  const t0 = process.hrtime.bigint();
  for (let n = 0; n < total; n++) set.add(keyAt(n));
  const t1 = process.hrtime.bigint();
  const bytes = heldBytes() - before;
  let found = 0;
  const t2 = process.hrtime.bigint();
  for (let n = total - N; n < total; n++) if (set.has(keyAt(n))) found++;
  const t3 = process.hrtime.bigint();
  return { bytes, addNs: Number(t1 - t0) / total, hasNs: Number(t3 - t2) / N, found };
}

const raw = measure(() => new StringKeys(N));
const ours = measure(() => new RecentKeys(N));
for (const [side, r] of [
  ['raw', raw],
  ['ours', ours],
] as const) {
  if (r.found !== N) {
    console.error(`${side}: found ${r.found} of the last ${N} keys added`);
    process.exit(1);
  }
}

const mb = (b: number) => (b / 1e6).toFixed(1);
console.log(`tracking key memory, ${N.toLocaleString('en-US')} keys held (${(N + Math.floor(N / 4)).toLocaleString('en-US')} added)`);
console.log('side                           memory MB  bytes/key  add ns  has ns');
for (const [side, r] of [
  ['ours: fingerprints (RecentKeys)', ours],
  ['raw: Set<string>', raw],
] as const)
  console.log(
    `${side.padEnd(31)}${mb(r.bytes).padStart(9)}${(r.bytes / N).toFixed(0).padStart(11)}${r.addNs.toFixed(0).padStart(8)}${r.hasNs.toFixed(0).padStart(8)}`,
  );
console.log(
  `ratio ours/raw: memory ${(ours.bytes / raw.bytes).toFixed(2)}x, add ${(ours.addNs / raw.addNs).toFixed(2)}x, has ${(ours.hasNs / raw.hasNs).toFixed(2)}x`,
);
