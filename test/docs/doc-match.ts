// Does a command's output say what the doc shows? A JSON pattern (objects may have more keys, `"..."` is any value,
// `...` in an array any further items) or lines of text (`...` is any text), see test/docs/doc-blocks.ts.

const ANY = '@@doc-any@@';
const MORE = '@@doc-more@@';

/** The doc's JSON with its `...` turned into markers, parsed. Throws with the pattern when it is not JSON. */
export function parsePattern(pattern: string): unknown {
  const marked = pattern
    .replace(/"\.\.\."/g, JSON.stringify(ANY))
    .replace(/(?<=[[,{]\s*)\.\.\.(?=\s*[,\]}])/g, JSON.stringify(MORE))
    .replace(/,\s*"@@doc-more@@"\s*}/g, '}')
    .replace(/{\s*"@@doc-more@@"\s*,?/g, '{');
  try {
    return JSON.parse(marked);
  } catch (err) {
    throw new Error(`the doc's result is not JSON with ... (${(err as Error).message}): ${pattern}`);
  }
}

/** Where `actual` differs from `pattern` (a JSON pointer and what was found), or undefined when it matches. */
export function jsonMismatch(pattern: unknown, actual: unknown, at = ''): string | undefined {
  if (pattern === ANY) return actual === undefined ? `${at || '/'}: missing` : undefined;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return `${at || '/'}: expected an array, found ${JSON.stringify(actual)}`;
    const open = pattern.includes(MORE);
    const items = pattern.filter((p) => p !== MORE);
    if (!open && items.length !== actual.length) return `${at || '/'}: expected ${items.length} items, found ${actual.length}`;
    // Each item of the pattern matches a later item of the answer, in order.
    let from = 0;
    for (const [i, item] of items.entries()) {
      let found = -1;
      let why: string | undefined;
      for (let j = from; j < actual.length && found < 0; j++) {
        const miss = jsonMismatch(item, actual[j], `${at}/${j}`);
        if (!miss) found = j;
        else why ??= miss;
      }
      if (found < 0) return why ?? `${at}/${i}: no item matches ${JSON.stringify(item)}`;
      from = found + 1;
    }
    return undefined;
  }
  if (pattern && typeof pattern === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual))
      return `${at || '/'}: expected an object, found ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(pattern)) {
      const miss = jsonMismatch(value, (actual as Record<string, unknown>)[key], `${at}/${key}`);
      if (miss) return miss;
    }
    return undefined;
  }
  // A string with `...` in it: the text around it, anything between.
  if (typeof pattern === 'string' && pattern.includes('...') && typeof actual === 'string')
    return textMatches(pattern, actual) ? undefined : `${at || '/'}: expected ${JSON.stringify(pattern)}, found ${JSON.stringify(actual)}`;
  return Object.is(pattern, actual) ? undefined : `${at || '/'}: expected ${JSON.stringify(pattern)}, found ${JSON.stringify(actual)}`;
}

/** The JSON objects and arrays printed one after another (curl -s answers, jq output), parsed; other text skipped. */
export function jsonDocuments(output: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < output.length; i++) {
    const c = output[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if ((c === '}' || c === ']') && depth > 0 && --depth === 0) {
      try {
        docs.push(JSON.parse(output.slice(start, i + 1)));
      } catch {
        // not JSON after all (text with brackets): skip it
      }
    }
  }
  return docs;
}

/** Lines of text in order, `...` matching any text (within a line) or any lines (alone on its line). */
export function textMatches(expected: string, output: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = expected
    .split('\n')
    .map((line) => line.trim())
    .map((line) =>
      line === '...'
        ? '[\\s\\S]*'
        : line
            .split(/\s*\.\.\.\s*/)
            .map(escape)
            .join('.*'),
    )
    .join('[\\s\\S]*');
  return new RegExp(pattern).test(output);
}
