// The global contact policy (definitions/contact-policy.json): loaded and checked once at process start by the
// worker and the API, then passed as the customer workflow's input — workflow code never reads this file.
// A bad file is refused with every problem as data (file, line, column, pointer, message), never half-applied.
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import { fileURLToPath } from 'node:url';
import schema from './schema/contact-policy.schema.json' with { type: 'json' };
import catalog from './catalog/events.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { closest } from './compiler/suggest.ts';
import { checkConfigSource, ConfigFileError, loadConfigFile } from './config-file.ts';

// The file's shape, generated from definitions/schema/contact-policy.schema.json (scripts/generate-types.ts).
import type { ContactPolicy, SuppressionRule } from './generated/contact-policy.ts';
export type { ContactPolicy } from './generated/contact-policy.ts';
export type SuppressionRuleDefinition = SuppressionRule;

export const CONTACT_POLICY_FILE = fileURLToPath(new URL('./contact-policy.json', import.meta.url));

export class ContactPolicyError extends ConfigFileError {
  constructor(file: string, diagnostics: Diagnostic[]) {
    super('contact policy', file, diagnostics);
    this.name = 'ContactPolicyError';
  }
}

let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  validate ??= new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validate;
}

function messageOf(e: ErrorObject): string | undefined {
  if (e.keyword === 'pattern' && e.schemaPath.includes('duration')) return 'must be an ISO 8601 duration such as P7D or PT12H';
  if (e.keyword === 'pattern' && e.schemaPath.includes('clock')) return 'must be a local time HH:MM (00:00-23:59)';
  return undefined;
}

/** Every problem in one policy document, [] when it is valid. `file` names it in the diagnostics. */
export function checkContactPolicy(source: string, file: string): { policy?: ContactPolicy; diagnostics: Diagnostic[] } {
  // A failed oneOf/if repeats what its branches said; the branch errors carry the pointer and the words.
  const checked = checkConfigSource<ContactPolicy>(source, file, validator(), { message: messageOf, skipKeywords: ['oneOf', 'if'] });
  const { value: policy, at } = checked;
  if (!policy) return { diagnostics: checked.diagnostics };
  // A rule for an event the catalog does not know would never fire: say so instead of ignoring it.
  const known = Object.keys(catalog.events);
  const diagnostics = policy.suppression.rules.flatMap((rule, i) =>
    known.includes(rule.event)
      ? []
      : [
          at(
            `/suppression/rules/${i}/event`,
            `unknown event type \`${rule.event}\``,
            'catalog.unknownEvent',
            closest(rule.event, known) ? `did you mean \`${closest(rule.event, known)}\`?` : undefined,
          ),
        ],
  );
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
  return loadConfigFile(
    path,
    (source, file) => {
      const { policy, diagnostics } = checkContactPolicy(source, file);
      return { value: policy, diagnostics };
    },
    (file, diagnostics) => new ContactPolicyError(file, diagnostics),
  );
}

/** The policy named by JOURNEY_CONTACT_POLICY, else the shipped file. */
export function loadContactPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ContactPolicy {
  return loadContactPolicy(env.JOURNEY_CONTACT_POLICY || CONTACT_POLICY_FILE);
}
