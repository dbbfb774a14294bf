// The tracking writer's memory of the keys already in the log (ndjson-log.ts): the most recent `max` keys, the
// oldest forgotten first. Every worker and API process holds one, filled from every process's file, so it is full
// (200,000 keys) in any long-running deployment. As strings in a Set that cost about 116 bytes a key, 23 MB a
// process; here a key is a 96-bit fingerprint (the first 12 bytes of its SHA-1) in an open-addressing table of typed
// arrays, 7.7 MB at that bound, about 39 bytes a key (bench/tracking-keys.ts measures both). Two different keys share a fingerprint
// with a probability of 2^-96 per pair: over 200,000 remembered keys and a billion lookups, about 10^-15 in all.
import { createHash } from 'node:crypto';

const EMPTY = 0;
const LIVE = 1;
/** A forgotten key's slot: probing goes on past it, and an insert may reuse it. */
const FORGOTTEN = 2;

/** Insertion-ordered set of keys that forgets its oldest past `max`. Adding a key it holds changes nothing. */
export class RecentKeys {
  private readonly mask: number;
  /** Three 32-bit words of fingerprint per slot. */
  private readonly prints: Uint32Array;
  private readonly states: Uint8Array;
  /** The slot of each live key, oldest at `head`: a ring of `max`. */
  private readonly order: Uint32Array;
  private head = 0;
  private live = 0;
  private forgotten = 0;

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`RecentKeys needs a whole max >= 1, got ${max}`);
    // At least twice the keys it holds: with forgotten slots bounded to a quarter (rebuild), a probe always ends.
    let capacity = 8;
    while (capacity < 2 * max) capacity *= 2;
    this.mask = capacity - 1;
    this.prints = new Uint32Array(3 * capacity);
    this.states = new Uint8Array(capacity);
    this.order = new Uint32Array(max);
  }

  get size(): number {
    return this.live;
  }

  has(key: string): boolean {
    const [a, b, c] = fingerprint(key);
    return this.find(a, b, c) >= 0;
  }

  add(key: string): void {
    const [a, b, c] = fingerprint(key);
    if (this.find(a, b, c) >= 0) return;
    if (this.live === this.max) {
      const oldest = this.order[this.head];
      this.states[oldest] = FORGOTTEN;
      this.forgotten++;
      this.head = (this.head + 1) % this.max;
      this.live--;
    }
    this.insert(a, b, c);
    if (this.forgotten > (this.mask + 1) / 4) this.rebuild();
  }

  private find(a: number, b: number, c: number): number {
    for (let i = a & this.mask; this.states[i] !== EMPTY; i = (i + 1) & this.mask) {
      if (this.states[i] === LIVE && this.prints[3 * i] === a && this.prints[3 * i + 1] === b && this.prints[3 * i + 2] === c) return i;
    }
    return -1;
  }

  /** Places a fingerprint known to be absent in the first free slot of its probe, and makes it the newest. */
  private insert(a: number, b: number, c: number): void {
    let i = a & this.mask;
    while (this.states[i] === LIVE) i = (i + 1) & this.mask;
    if (this.states[i] === FORGOTTEN) this.forgotten--;
    this.states[i] = LIVE;
    this.prints[3 * i] = a;
    this.prints[3 * i + 1] = b;
    this.prints[3 * i + 2] = c;
    this.order[(this.head + this.live) % this.max] = i;
    this.live++;
  }

  /** Clears the forgotten slots (they lengthen every probe) by inserting the live keys again, oldest first. */
  private rebuild(): void {
    const kept = new Uint32Array(3 * this.live);
    for (let n = 0; n < this.live; n++) {
      const slot = this.order[(this.head + n) % this.max];
      kept.set(this.prints.subarray(3 * slot, 3 * slot + 3), 3 * n);
    }
    const count = this.live;
    this.states.fill(EMPTY);
    this.head = 0;
    this.live = 0;
    this.forgotten = 0;
    for (let n = 0; n < count; n++) this.insert(kept[3 * n], kept[3 * n + 1], kept[3 * n + 2]);
  }
}

function fingerprint(key: string): [number, number, number] {
  const digest = createHash('sha1').update(key).digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8)];
}
