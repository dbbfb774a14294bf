// Hostile values for the fuzzer (test/fuzz-requests.ts, test/fuzz-signals.ts): a seeded PRNG, so a seed names one
// exact campaign, and generators for the inputs that break services: every Unicode class (lone surrogates,
// right-to-left, zero-width, combining marks, astral characters), control characters, path tricks (`.`, `..`, `:`,
// `/`, percent-encodings), megabyte strings, numbers at the edges of what JSON and JavaScript can hold, and nesting
// deeper than any parser should be asked to follow.

import { seededRandom } from '../reports/experiments/stats.ts';

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export class Rng {
  private readonly draw: () => number;
  constructor(seed: number) {
    this.draw = seededRandom(seed);
  }
  /** A float in [0, 1). */
  next(): number {
    return this.draw();
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** A child generator, so one part of a campaign can draw more or less without shifting every other part. */
  fork(): Rng {
    return new Rng(this.int(2 ** 32));
  }
}

/** Characters of each class a service must survive, each one in a string of its own. */
export const UNICODE_CLASSES: Record<string, readonly string[]> = {
  ascii: ['a', 'Z', '0', '_', '-', '@', '+'],
  latin1: ['é', 'ß', 'ÿ', '\u00a0', '\u00ad'],
  control: ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085'],
  'zero-width': ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'],
  rtl: ['\u202e', '\u202b', '\u200f', 'שלום', 'مرحبا'],
  combining: ['e\u0301', 'a\u0308\u0308\u0308', '\u0300', 'Z\u0336\u0337'],
  'lone-surrogate': ['\ud800', '\udfff', 'a\ud83d', '\ude00b'],
  astral: ['😀', '𝕏', '\u{10ffff}', '👩‍👩‍👧'],
  cjk: ['漢', 'ひ', '한'],
  'non-character': ['\ufffe', '\uffff', '\ufdd0'],
  'line-separators': ['\u2028', '\u2029'],
  'path-tricks': ['.', '..', ':', '/', '\\', '%', '%2e', '%2F', '%00', '%ZZ', '?', '#', '&', '=', ';', '*'],
  quotes: ['"', "'", '`', '<', '>', '{', '}', '[', ']', '$', '~'],
};

/** Whole ids a route must refuse or address exactly. */
export const HOSTILE_IDS: readonly string[] = [
  '.',
  '..',
  ':',
  '::',
  '.:.',
  '/',
  '//',
  '../..',
  '..%2f..',
  '%2e%2e',
  'a/b',
  'a:b',
  'a.b',
  '.a',
  'x..y',
  ' ',
  '',
  'a b',
  'a\u0000b',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'CON',
  'a'.repeat(200),
  'a'.repeat(201),
  'a'.repeat(1001),
  'x'.repeat(10_000),
  'first.last@example.com',
  '+-@',
  '\ud800',
  '\u202eevil',
  'e\u0301',
  '\u200b',
  '😀',
];

/** Numbers (and things that look like numbers) at the edges. JSON has no NaN or Infinity: they are sent as text. */
export const EDGE_NUMBERS: readonly unknown[] = [
  0,
  -0,
  1,
  -1,
  10,
  11,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 - 1,
  2 ** 53 + 1,
  -(2 ** 53) - 1,
  2 ** 31,
  2 ** 63,
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '10',
  '0x10',
  '1_000',
  '',
  null,
  true,
  [],
  {},
];

/** Raw JSON number literals JSON.stringify cannot produce (overflow, huge exponents, precision past a double). */
export const RAW_NUMBER_LITERALS: readonly string[] = [
  '1e309',
  '-1e309',
  '123456789012345678901234567890',
  '0.0000000000000000000000000000001',
  '1e-400',
  '-0.0',
  '9007199254740993',
];

export function unicodeString(rng: Rng, maxParts = 6): string {
  const classes = Object.values(UNICODE_CLASSES);
  let s = '';
  const parts = 1 + rng.int(maxParts);
  for (let i = 0; i < parts; i++) s += rng.pick(rng.pick(classes));
  return s;
}

/** A megabyte (or more) of one repeated unit: text, multi-byte characters, or escapes JSON must expand. */
export function hugeString(rng: Rng, bytes = 1024 * 1024): string {
  const unit = rng.pick(['x', 'é', '😀', '\u0000', '"', '\\', '\u200b']);
  const unitBytes = Buffer.byteLength(unit, 'utf8');
  return unit.repeat(Math.ceil(bytes / unitBytes));
}

export function hostileString(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return rng.pick(HOSTILE_IDS);
    case 1:
      return `${rng.pick(['cust', 'a', ''])}${unicodeString(rng)}`;
    case 2:
      return 'z'.repeat(rng.pick([199, 200, 201, 256, 1000, 1001, 4097, 65_536]));
    default:
      return unicodeString(rng);
  }
}

/** Any JSON value, sometimes hostile, bounded in depth and width. */
export function anyValue(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 4 : 7);
  switch (roll) {
    case 0:
      return rng.pick(EDGE_NUMBERS);
    case 1:
      return hostileString(rng);
    case 2:
      return rng.pick([true, false, null, 'ok', 10, 'nps.submitted']);
    case 3:
      return rng.int(11);
    case 4:
      return Array.from({ length: rng.int(4) }, () => anyValue(rng, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        out[rng.chance(0.5) ? hostileString(rng) : rng.pick(['score', 'email', 'id', 'type'])] = anyValue(rng, depth + 1);
      return out;
    }
  }
}

/** JSON text nested `depth` levels (arrays or objects) around `inner`: written as text, as JSON.stringify overflows first. */
export function nestedJson(depth: number, kind: 'array' | 'object', inner = '1'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

/** Nesting depths either side of the API's limit (64) and far past what recursion survives. */
export const DEPTHS: readonly number[] = [63, 64, 65, 100, 1000, 5000, 20_000];

/**
 * Percent-encodes text for a URL path, every byte of its UTF-8 (so `.` `/` `:` stay data), or deliberately wrong:
 * raw (no encoding), a lone surrogate encoded as UTF-8 bytes no decoder accepts, or a bad escape.
 */
export function pathSegment(rng: Rng, text: string): string {
  const mode = rng.int(8);
  // Raw: only what would end the request line is escaped; everything else goes as its bytes (latin1 on the wire).
  if (mode === 0)
    return [...text].map((c) => (c.charCodeAt(0) <= 0x20 || c === '?' || c === '#' || c.charCodeAt(0) > 0xff ? encodeAll(c) : c)).join('');
  if (mode === 1) return `${encodeAll(text)}%ED%A0%80`;
  if (mode === 2) return `${encodeAll(text)}%E`;
  return encodeAll(text);
}

/** Every byte percent-encoded except unreserved ASCII; a lone surrogate goes as the replacement character's bytes. */
export function encodeAll(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}
