// What the configuration files beside the journeys (contact-policy.json, advocate-score.json) have in common: read
// once at process start, parsed keeping positions, checked against their JSON Schema, and refused with every
// problem as data (file, line, column, pointer, message), never half-applied. Each file's own module adds its
// semantic checks on top.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from './diagnostics.ts';
import { oneErrorPerMistake, parseWithPositions, pointerSegments } from './compiler/positions.ts';
import { closest } from './compiler/suggest.ts';
import catalog from './catalog/events.json' with { type: 'json' };

const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * A config file that cannot be used, with every problem found in it. Each kind of file has its own subclass
 * (named after it, so `err.name` says which) with a static `what` that names the file in the message.
 */
export class ConfigFileError extends Error {
  static readonly what: string = 'config file';
  constructor(
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(
      `invalid ${(new.target as typeof ConfigFileError).what} ${file}:\n${diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.pointer || '(document)'}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`).join('\n')}`,
    );
    this.name = new.target.name;
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

/** How one kind of config document is checked: its schema, the wording of schema errors, its own rules. */
export interface ConfigRules<T> {
  validate: ValidateFunction;
  wording?: SchemaWording;
  /** The file's own checks, run once it is JSON that the schema accepts; `at` places a problem at a pointer. */
  semantic: (value: T, at: PlaceProblem) => Diagnostic[];
}

/** Every problem in one config document (syntax, schema, then the file's own rules); `file` names it. */
export function checkConfigDocument<T>(source: string, file: string, rules: ConfigRules<T>): ConfigCheck<T> {
  const { value, diagnostics, at } = checkConfigSource<T>(source, file, rules.validate, rules.wording);
  if (!value) return { diagnostics };
  const problems = rules.semantic(value, at);
  return problems.length > 0 ? { diagnostics: problems } : { value, diagnostics: [] };
}

/** A rule for an event type the catalog does not know would never apply: say so (with the nearest known name). */
export function unknownCatalogEvent(event: string, pointer: string, at: PlaceProblem): Diagnostic[] {
  const known = Object.keys(catalog.events);
  if (known.includes(event)) return [];
  const near = closest(event, known);
  return [at(pointer, `unknown event type \`${event}\``, 'catalog.unknownEvent', near ? `did you mean \`${near}\`?` : undefined)];
}

/**
 * Event paths in a rule's condition, which reads the event as { type, data }: `event.data.<field>` must be a field of
 * the rule's event; `event.<field>` (the journeys' form) gets a hint naming the form needed here.
 */
export function eventPathProblems(when: unknown, pointer: string, eventType: string, at: PlaceProblem): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const fields = Object.keys((catalog.events as Record<string, { data: { properties?: object } }>)[eventType]?.data.properties ?? {});
  const walk = (node: unknown, here: string) => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${here}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [op, args] of Object.entries(node)) {
      const opPointer = `${here}/${op.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const path = op === 'var' ? (Array.isArray(args) ? args[0] : args) : undefined;
      if (typeof path !== 'string') {
        walk(args, opPointer);
        continue;
      }
      const varPointer = Array.isArray(args) ? `${opPointer}/0` : opPointer;
      const [root, first, second] = path.split('.');
      if (root !== 'event' || first === undefined || first === 'type') continue;
      if (first !== 'data')
        problems.push(
          at(
            varPointer,
            `\`${path}\`: here the event is { type, data }, so its fields are under \`event.data\``,
            'logic.eventPathForm',
            `write \`event.data.${path.slice(6)}\` (journeys write \`event.${path.slice(6)}\`)`,
          ),
        );
      else if (second !== undefined && fields.length > 0 && !fields.includes(second)) {
        const near = closest(second, fields);
        problems.push(
          at(
            varPointer,
            `\`${path}\`: the event \`${eventType}\` has no field \`${second}\``,
            'logic.unknownVar',
            near ? `did you mean \`event.data.${near}\`?` : `its fields: ${fields.join(', ')}`,
          ),
        );
      }
    }
  };
  walk(when, pointer);
  return problems;
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
      diagnostics: oneErrorPerMistake(parsed.syntaxErrors, source).map((e) => {
        const lines = source.slice(0, e.offset).split('\n');
        return {
          file,
          line: lines.length,
          column: lines[lines.length - 1].length + 1,
          pointer: '',
          message: e.missing !== undefined ? `not valid JSON: the file ends early (was it cut off?)` : `not valid JSON: ${e.message}`,
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
        // Event-type fields carry the catalog as an enum (for editors): say it as the catalog check does.
        const named = e.keyword === 'enum' && e.instancePath.endsWith('/event') ? valueAt(parsed.value, e.instancePath) : undefined;
        if (typeof named === 'string')
          return unknownCatalogEvent(named, e.instancePath, at)[0] ?? at(e.instancePath, e.message ?? '', 'schema.enum');
        const base = defaultMessage(e);
        return at(base.pointer, wording.message?.(e) ?? base.message, `schema.${e.keyword}`);
      })
      .filter((d) => !seen.has(`${d.pointer} ${d.message}`) && seen.add(`${d.pointer} ${d.message}`));
    // An unknown event type is the file's only schema problem: its own rules still run (every problem at once).
    if (diagnostics.every((d) => d.code === 'catalog.unknownEvent')) return { value: parsed.value as T, diagnostics: [], at };
    return { at, diagnostics };
  }
  return { value: parsed.value as T, diagnostics: [], at };
}

function valueAt(document: unknown, pointer: string): unknown {
  return pointerSegments(pointer).reduce<unknown>(
    (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
    document,
  );
}

/** Every problem in one config document; `value` only when there is none. */
export interface ConfigCheck<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

/** One kind of config file: the shipped file, the environment variable that names another, its checks and its error. */
export interface ConfigFileKind<T> {
  shippedFile: string;
  envVar: string;
  check: (source: string, file: string) => ConfigCheck<T>;
  /** The error thrown with every problem of a file that cannot be used. */
  error: new (file: string, diagnostics: Diagnostic[]) => ConfigFileError;
}

/** Compiles a config file's JSON Schema on first use, then keeps it (a process checks each file once or twice). */
export function lazyValidator(schema: object): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () => (validate ??= new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema));
}

/**
 * The two loaders of one kind of config file: `load(path?)` reads the given file (default: the shipped one),
 * `loadFromEnv(env?)` the file its environment variable names, else the shipped one. Both throw the kind's error.
 */
export function configFileLoaders<T extends object>(kind: ConfigFileKind<T>) {
  return {
    load: (path: string = kind.shippedFile): T => loadConfigFile(kind, path),
    loadFromEnv: (env: NodeJS.ProcessEnv = process.env): T => loadConfigFile(kind, env[kind.envVar] || kind.shippedFile),
  };
}

/**
 * Reads and checks a config file; returns its value without the editor's `$schema` / `$comment`, or throws what
 * the kind's error with the problems (the file named relative to the repository when inside it).
 */
function loadConfigFile<T extends object>(kind: ConfigFileKind<T>, path: string): T {
  const absolute = resolve(path);
  const rel = relative(REPO_ROOT, absolute);
  const file = rel.startsWith('..') ? absolute : rel.split('\\').join('/');
  let source: string;
  try {
    source = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new kind.error(file, [
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
  const { value, diagnostics } = kind.check(source, file);
  if (!value) throw new kind.error(file, diagnostics);
  const { $schema: _schema, $comment: _comment, ...rest } = value as T & { $schema?: string; $comment?: string };
  return rest as T;
}
