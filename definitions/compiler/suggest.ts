// "Did you mean …?" by edit distance: the closest known name, when it is close enough to be a typo.

/** Levenshtein distance (insert, delete, substitute), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[t.length];
}

/** The known name closest to `input`, or undefined when none is within a typo's reach (a third of its length, at least 2). */
export function closest(input: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = editDistance(input, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const reach = Math.max(2, Math.ceil(input.length / 3));
  return bestDistance <= reach ? best : undefined;
}

export function didYouMean(input: string, known: Iterable<string>): string | undefined {
  const match = closest(input, known);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}
