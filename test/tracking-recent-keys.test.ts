// The tracking writer's key memory (activities/tracking/recent-keys.ts): the same answers as an insertion-ordered
// Set that forgets its oldest keys past its bound, through evictions and the rebuilds that clear forgotten slots.
import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../activities/tracking/recent-keys.ts';
import { StringKeys } from './support/string-keys.ts';

/** A small seeded generator, so a failure names a sequence that can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RecentKeys', () => {
  it('remembers what it was given, and forgets the oldest first once full', () => {
    const keys = new RecentKeys(3);
    for (const k of ['a', 'b', 'c']) keys.add(k);
    expect(['a', 'b', 'c', 'd'].map((k) => keys.has(k))).toEqual([true, true, true, false]);
    keys.add('a'); // held already: not made newer
    keys.add('d');
    expect(['a', 'b', 'c', 'd'].map((k) => keys.has(k))).toEqual([false, true, true, true]);
    expect(keys.size).toBe(3);
    keys.add('a'); // forgotten, so new again: b is now the oldest and goes
    expect(['a', 'b', 'c', 'd'].map((k) => keys.has(k))).toEqual([true, false, true, true]);
  });

  it('answers as the reference Set does over long random runs, rebuilds included', () => {
    for (const [seed, max, space] of [
      [1, 1, 5],
      [2, 7, 40],
      [3, 50, 200],
      [4, 50, 60],
      [5, 300, 5000],
    ]) {
      const random = lcg(seed);
      const ours = new RecentKeys(max);
      const ref = new StringKeys(max);
      for (let step = 0; step < 20_000; step++) {
        const key = `journey:nps-promoter-referral:c-${Math.floor(random() * space)}:1:ask.sent:${step % 3}`;
        if (random() < 0.6) {
          ours.add(key);
          ref.add(key);
        } else {
          expect(ours.has(key), `seed ${seed} step ${step}: has(${key})`).toBe(ref.keys.has(key));
        }
      }
      expect(ours.size, `seed ${seed}`).toBe(ref.keys.size);
      for (const key of ref.keys) expect(ours.has(key), `seed ${seed}: kept ${key}`).toBe(true);
    }
  });

  it('holds a full window of the writer size with every key found and none invented', () => {
    const max = 200_000;
    const keys = new RecentKeys(max);
    const key = (n: number) => `journey:milestone-review-ask:mxa8w1wr-c${n}:9fe56bf5:1:ask.moved:4`;
    for (let n = 0; n < max + 50_000; n++) keys.add(key(n));
    expect(keys.size).toBe(max);
    let found = 0;
    for (let n = 0; n < max + 50_000; n++) if (keys.has(key(n))) found++;
    expect(found).toBe(max);
    expect(keys.has(key(49_999))).toBe(false);
    expect(keys.has(key(50_000))).toBe(true);
    expect(keys.has(key(max + 50_000))).toBe(false);
  });

  it('refuses a bound that is not a whole number of at least 1', () => {
    expect(() => new RecentKeys(0)).toThrow(/whole max >= 1, got 0/);
    expect(() => new RecentKeys(2.5)).toThrow(/got 2.5/);
  });
});
