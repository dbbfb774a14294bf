// Parsing that keeps positions: jsonc-parser gives a syntax tree with offsets, so every diagnostic can say
// line:column for a JSON pointer, even after the document has been turned into plain values.
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

export interface ParsedSource {
  value: unknown;
  root: Node | undefined;
  syntaxErrors: { offset: number; message: string }[];
  /** 1-based line and column of the value at `pointer`, or of its nearest existing ancestor. */
  locate(pointer: string, options?: { key?: boolean }): { line: number; column: number };
  /** 1-based line and column of the character `index` (of the decoded text) inside the string at `pointer`. */
  locateInString(pointer: string, index: number): { line: number; column: number };
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function toPointer(segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function parseWithPositions(source: string): ParsedSource {
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { disallowComments: true, allowTrailingComma: false });
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);

  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };

  const nodeAt = (segments: string[]): Node | undefined => {
    if (!root) return undefined;
    // Array indexes are numbers in jsonc-parser paths.
    let node: Node | undefined = root;
    const path: (string | number)[] = [];
    for (const segment of segments) {
      const parent = findNodeAtLocation(root, path);
      path.push(parent?.type === 'array' && /^\d+$/.test(segment) ? Number(segment) : segment);
      const next = findNodeAtLocation(root, path);
      if (!next) return node;
      node = next;
    }
    return node;
  };

  return {
    value: root ? safeValue(source) : undefined,
    root,
    syntaxErrors: errors.map((e) => ({ offset: e.offset, message: printParseErrorCode(e.error) })),
    locate(pointer, options) {
      const segments = pointerSegments(pointer);
      const node = nodeAt(segments);
      if (!node) return { line: 1, column: 1 };
      // For an unknown key, point at the key itself rather than at its value.
      const target = options?.key && node.parent?.type === 'property' ? node.parent : node;
      return position(target.offset);
    },
    locateInString(pointer, index) {
      const node = nodeAt(pointerSegments(pointer));
      if (!node || node.type !== 'string') return this.locate(pointer);
      return position(node.offset + 1 + rawIndex(source.slice(node.offset + 1, node.offset + node.length - 1), index));
    },
  };
}

/** Where the decoded character `index` starts in a JSON string's raw text (escapes take more than one character). */
function rawIndex(raw: string, index: number): number {
  let decoded = 0;
  let i = 0;
  while (i < raw.length && decoded < index) {
    i += raw[i] !== '\\' ? 1 : raw[i + 1] === 'u' ? 6 : 2;
    decoded++;
  }
  return i;
}

function safeValue(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return undefined;
  }
}

export function offsetPosition(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * One error per syntax mistake: the parser recovers by reporting every bracket a cut-off file leaves open (five
 * "a closing } was expected" at the end for one truncation), and may report one place twice. Errors at the end of
 * the text become one "the file ends early" error; errors at one offset become one.
 */
export function oneErrorPerMistake<E extends { offset: number; message: string }>(
  errors: E[],
  source: string,
): (E & { missing?: number })[] {
  const end = source.trimEnd().length;
  // A cut-off file: what is open at the end (a string, a value, brackets) is one mistake, reported once.
  const atEnd = errors.filter((e) => (e.offset >= end && e.message !== 'EndOfFileExpected') || e.message.startsWith('UnexpectedEndOf'));
  const seen = new Set<number>();
  const kept: (E & { missing?: number })[] = [];
  for (const e of errors) {
    if (atEnd.includes(e) || seen.has(e.offset)) continue;
    seen.add(e.offset);
    kept.push(e);
  }
  const brackets = atEnd.filter((e) => e.message === 'CloseBraceExpected' || e.message === 'CloseBracketExpected').length;
  if (atEnd.length > 1 || brackets > 0) kept.push({ ...atEnd[0], offset: Math.min(atEnd[0].offset, source.length), missing: brackets });
  else if (atEnd.length === 1) kept.push(atEnd[0]);
  return kept;
}
