// The global contact policy (definitions/contact-policy.json): loaded and checked once at process start by the
// worker and the API, then passed as the customer workflow's input — workflow code never reads this file.
// A bad file is refused with every problem as data (file, line, column, pointer, message), never half-applied.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { fileURLToPath } from 'node:url';
import schema from './schema/contact-policy.schema.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import {
  checkConfigDocument,
  ConfigFileError,
  configFileLoaders,
  eventPathProblems,
  lazyValidator,
  unknownCatalogEvent,
} from './config-file.ts';
import type { ConfigCheck, PlaceProblem } from './config-file.ts';

// The file's shape, generated from definitions/schema/contact-policy.schema.json (scripts/generate-types.ts).
import type { ContactPolicy, SuppressionRule } from './generated/contact-policy.ts';
export type { ContactPolicy } from './generated/contact-policy.ts';
export type SuppressionRuleDefinition = SuppressionRule;

export const CONTACT_POLICY_FILE = fileURLToPath(new URL('./contact-policy.json', import.meta.url));

export class ContactPolicyError extends ConfigFileError {
  static override readonly what = 'contact policy';
}

const validator = lazyValidator(schema);

function messageOf(e: ErrorObject): string | undefined {
  if (e.keyword === 'pattern' && e.schemaPath.includes('duration')) return 'must be an ISO 8601 duration such as P7D or PT12H';
  if (e.keyword === 'pattern' && e.schemaPath.includes('clock')) return 'must be a local time HH:MM (00:00-23:59)';
  return undefined;
}

/** Every problem in one policy document, [] when it is valid. `file` names it in the diagnostics. */
export function checkContactPolicy(source: string, file: string): ConfigCheck<ContactPolicy> {
  // A failed oneOf/if repeats what its branches said; the branch errors carry the pointer and the words.
  const wording = { message: messageOf, skipKeywords: ['oneOf', 'if'] };
  return checkConfigDocument<ContactPolicy>(source, file, { validate: validator(), wording, semantic: policyRuleProblems });
}

/**
 * loadContactPolicy(path?): loads and checks the policy file (default: the shipped definitions/contact-policy.json).
 * loadContactPolicyFromEnv(env?): the policy named by JOURNEY_CONTACT_POLICY, else the shipped file.
 * Both throw ContactPolicyError naming the file, line and JSON pointer of every problem.
 */
export const { load: loadContactPolicy, loadFromEnv: loadContactPolicyFromEnv } = configFileLoaders<ContactPolicy>({
  shippedFile: CONTACT_POLICY_FILE,
  envVar: 'JOURNEY_CONTACT_POLICY',
  check: checkContactPolicy,
  error: ContactPolicyError,
});

function policyRuleProblems(policy: ContactPolicy, at: PlaceProblem): Diagnostic[] {
  // A rule for an event the catalog does not know would never fire: say so instead of ignoring it.
  const diagnostics = policy.suppression.rules.flatMap((rule, i) => [
    ...unknownCatalogEvent(rule.event, `/suppression/rules/${i}/event`, at),
    ...eventPathProblems(rule.when, `/suppression/rules/${i}/when`, rule.event, at),
  ]);
  try {
    Intl.DateTimeFormat('en', { timeZone: policy.defaultTimezone });
  } catch {
    diagnostics.push(at('/defaultTimezone', `unknown IANA time zone \`${policy.defaultTimezone}\``, 'policy.timezone'));
  }
  return diagnostics;
}
