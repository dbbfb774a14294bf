// What the configuration files beside the journeys (contact-policy.json, advocate-score.json) have in common: read
// once at process start, parsed keeping positions, checked against their JSON Schema, and refused with every
// problem as data (file, line, column, pointer, message), never half-applied. Each file's own module adds its
// semantic checks on top.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from './diagnostics.ts';
import { parseWithPositions } from './compiler/positions.ts';

const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** A config file that cannot be used, with every problem found in it. */
export class ConfigFileError extends Error {
  constructor(
    what: string,
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(
      `invalid ${what} ${file}:\n${diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.pointer || '(document)'}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`).join('\n')}`,
    );
  }
}

/** Places a problem at a JSON pointer of the document being checked. */
export type PlaceProblem = (pointer: string, message: string, code: string, suggestion?: string) => Diagnostic;

export interface SchemaWording {
  /** Words for an Ajv error the file's own module can say better (e.g. a duration pattern); undefined: the default. */
  message?: (e: ErrorObject) => string | undefined;
  /** Keywords whose errors only repeat what their branches said (a failed oneOf, an if). */
  skipKeywords?: string[];
}

function defaultMessage(e: ErrorObject): { pointer: string; message: string } {
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    return { pointer: `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown key \`${key}\`` };
  }
  if (e.keyword === 'required') return { pointer: e.instancePath, message: `missing \`${e.params.missingProperty}\`` };
  return { pointer: e.instancePath, message: e.message ?? e.keyword };
}

/**
 * Parses `source` and checks it against the schema. `value` is set only when both pass; `at` places further
 * problems the caller finds at their line and column.
 */
export function checkConfigSource<T>(
  source: string,
  file: string,
  validate: ValidateFunction,
  wording: SchemaWording = {},
): { value?: T; diagnostics: Diagnostic[]; at: PlaceProblem } {
  const parsed = parseWithPositions(source);
  const at: PlaceProblem = (pointer, message, code, suggestion) => ({
    file,
    ...parsed.locate(pointer),
    pointer,
    message,
    code,
    severity: 'error',
    ...(suggestion ? { suggestion } : {}),
  });
  if (parsed.syntaxErrors.length > 0 || parsed.value === undefined) {
    return {
      at,
      diagnostics: parsed.syntaxErrors.map((e) => {
        const lines = source.slice(0, e.offset).split('\n');
        return {
          file,
          line: lines.length,
          column: lines[lines.length - 1].length + 1,
          pointer: '',
          message: `not valid JSON: ${e.message}`,
          code: 'json.syntax',
          severity: 'error',
        };
      }),
    };
  }
  if (!validate(parsed.value)) {
    const skip = new Set(wording.skipKeywords ?? []);
    const seen = new Set<string>();
    const diagnostics = (validate.errors ?? [])
      .filter((e) => !skip.has(e.keyword))
      .map((e) => {
        const base = defaultMessage(e);
        return at(base.pointer, wording.message?.(e) ?? base.message, `schema.${e.keyword}`);
      })
      .filter((d) => !seen.has(`${d.pointer} ${d.message}`) && seen.add(`${d.pointer} ${d.message}`));
    return { at, diagnostics };
  }
  return { value: parsed.value as T, diagnostics: [], at };
}

/**
 * Reads and checks a config file; returns its value without the editor's `$schema` / `$comment`, or throws what
 * `refuse` makes of the problems (the file named relative to the repository when inside it).
 */
export function loadConfigFile<T extends object>(
  path: string,
  check: (source: string, file: string) => { value?: T; diagnostics: Diagnostic[] },
  refuse: (file: string, diagnostics: Diagnostic[]) => Error,
): T {
  const absolute = resolve(path);
  const rel = relative(REPO_ROOT, absolute);
  const file = rel.startsWith('..') ? absolute : rel.split('\\').join('/');
  let source: string;
  try {
    source = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw refuse(file, [
      {
        file,
        line: 1,
        column: 1,
        pointer: '',
        message: `cannot read: ${(err as Error).message}`,
        code: 'file.unreadable',
        severity: 'error',
      },
    ]);
  }
  const { value, diagnostics } = check(source, file);
  if (!value) throw refuse(file, diagnostics);
  const { $schema: _schema, $comment: _comment, ...rest } = value as T & { $schema?: string; $comment?: string };
  return rest as T;
}
