// The global contact policy (definitions/contact-policy.json): loaded and checked once at process start by the
// worker and the API, then passed as the customer workflow's input — workflow code never reads this file.
// A bad file is refused with every problem as data (file, line, column, pointer, message), never half-applied.
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import schema from './schema/contact-policy.schema.json' with { type: 'json' };
import catalog from './catalog/events.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { parseWithPositions } from './compiler/positions.ts';
import { closest } from './compiler/suggest.ts';

// The file's shape, generated from definitions/schema/contact-policy.schema.json (scripts/generate-types.ts).
import type { ContactPolicy, SuppressionRule } from './generated/contact-policy.ts';
export type { ContactPolicy } from './generated/contact-policy.ts';
export type SuppressionRuleDefinition = SuppressionRule;

export const CONTACT_POLICY_FILE = fileURLToPath(new URL('./contact-policy.json', import.meta.url));
const REPO_ROOT = dirname(dirname(CONTACT_POLICY_FILE));

export class ContactPolicyError extends Error {
  constructor(readonly file: string, readonly diagnostics: Diagnostic[]) {
    super(`invalid contact policy ${file}:\n${diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.pointer || '(document)'}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`).join('\n')}`);
    this.name = 'ContactPolicyError';
  }
}

let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  validate ??= new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validate;
}

function messageOf(e: ErrorObject): { pointer: string; message: string } {
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    return { pointer: `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown key \`${key}\`` };
  }
  if (e.keyword === 'required') return { pointer: e.instancePath, message: `missing \`${e.params.missingProperty}\`` };
  if (e.keyword === 'pattern' && e.schemaPath.includes('duration')) return { pointer: e.instancePath, message: 'must be an ISO 8601 duration such as P7D or PT12H' };
  if (e.keyword === 'pattern' && e.schemaPath.includes('clock')) return { pointer: e.instancePath, message: 'must be a local time HH:MM (00:00-23:59)' };
  return { pointer: e.instancePath, message: e.message ?? e.keyword };
}

/** Every problem in one policy document (already parsed), [] when it is valid. `file` names it in the diagnostics. */
export function checkContactPolicy(source: string, file: string): { policy?: ContactPolicy; diagnostics: Diagnostic[] } {
  const parsed = parseWithPositions(source);
  const at = (pointer: string, message: string, code: string, suggestion?: string): Diagnostic => ({
    file, ...parsed.locate(pointer), pointer, message, code, severity: 'error', ...(suggestion ? { suggestion } : {}),
  });
  if (parsed.syntaxErrors.length > 0 || parsed.value === undefined) {
    return {
      diagnostics: parsed.syntaxErrors.map((e) => {
        const lines = source.slice(0, e.offset).split('\n');
        return { file, line: lines.length, column: lines[lines.length - 1].length + 1, pointer: '', message: `not valid JSON: ${e.message}`, code: 'json.syntax', severity: 'error' };
      }),
    };
  }
  const check = validator();
  if (!check(parsed.value)) {
    // A failed oneOf/if repeats what its branches said; the branch errors carry the pointer and the words.
    const errors = (check.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
    const seen = new Set<string>();
    const diagnostics = errors.map((e) => {
      const { pointer, message } = messageOf(e);
      return at(pointer, message, `schema.${e.keyword}`);
    }).filter((d) => !seen.has(`${d.pointer} ${d.message}`) && seen.add(`${d.pointer} ${d.message}`));
    return { diagnostics };
  }
  const policy = parsed.value as ContactPolicy;
  // A rule for an event the catalog does not know would never fire: say so instead of ignoring it.
  const known = Object.keys(catalog.events);
  const diagnostics = policy.suppression.rules.flatMap((rule, i) => known.includes(rule.event) ? [] : [
    at(`/suppression/rules/${i}/event`, `unknown event type \`${rule.event}\``, 'catalog.unknownEvent',
      closest(rule.event, known) ? `did you mean \`${closest(rule.event, known)}\`?` : undefined),
  ]);
  try {
    Intl.DateTimeFormat('en', { timeZone: policy.defaultTimezone });
  } catch {
    diagnostics.push(at('/defaultTimezone', `unknown IANA time zone \`${policy.defaultTimezone}\``, 'policy.timezone'));
  }
  return diagnostics.length > 0 ? { diagnostics } : { policy, diagnostics: [] };
}

/**
 * Loads and checks the policy file (default: the shipped definitions/contact-policy.json). Throws
 * ContactPolicyError naming the file, line and JSON pointer of every problem.
 */
export function loadContactPolicy(path: string = CONTACT_POLICY_FILE): ContactPolicy {
  const absolute = resolve(path);
  const rel = relative(REPO_ROOT, absolute);
  const file = rel.startsWith('..') ? absolute : rel.split('\\').join('/');
  let source: string;
  try {
    source = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new ContactPolicyError(file, [{ file, line: 1, column: 1, pointer: '', message: `cannot read: ${(err as Error).message}`, code: 'file.unreadable', severity: 'error' }]);
  }
  const { policy, diagnostics } = checkContactPolicy(source, file);
  if (!policy) throw new ContactPolicyError(file, diagnostics);
  const { $schema: _schema, $comment: _comment, ...rest } = policy as ContactPolicy & { $schema?: string; $comment?: string };
  return rest;
}

/** The policy named by JOURNEY_CONTACT_POLICY, else the shipped file. */
export function loadContactPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ContactPolicy {
  return loadContactPolicy(env.JOURNEY_CONTACT_POLICY || CONTACT_POLICY_FILE);
}

