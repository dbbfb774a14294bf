// The CRM mappings (definitions/crm.json): how an owner task and a referral record become a CRM's properties, per
// CRM (HubSpot, Salesforce, or your own). Loaded and checked once by the worker when the CRM webhook provider is
// configured; a bad file is refused with every problem as data (file, line, column, pointer, message).
import type { ErrorObject } from 'ajv/dist/2020.js';
import { fileURLToPath } from 'node:url';
import schema from './schema/crm.schema.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { checkConfigDocument, ConfigFileError, configFileLoaders, lazyValidator } from './config-file.ts';
import type { ConfigCheck, PlaceProblem } from './config-file.ts';
import type { CRMMappings, Value } from './generated/crm.ts';
import { closest } from './compiler/suggest.ts';

export type { CRMMappings, CRMMapping, Value as CrmValue } from './generated/crm.ts';

export const CRM_MAPPING_FILE = fileURLToPath(new URL('./crm.json', import.meta.url));

/** The source fields each kind of record offers a mapping (what activities/crm/map-record.ts fills in). */
export const CRM_SOURCE_FIELDS = {
  ownerTask: [
    'task.id',
    'task.subject',
    'task.body',
    'task.dueAt',
    'task.motion',
    'task.reason',
    'task.journeyId',
    'task.journeyName',
    'task.url',
    'task.doneUrl',
    'task.declineUrl',
    'owner.email',
    'owner.name',
    'owner.timezone',
    'account.customerId',
    'account.company',
    'account.segment',
    'account.arr',
  ],
  referral: [
    'referral.id',
    'referral.stage',
    'referral.at',
    'referral.amount',
    'referral.currency',
    'source.kind',
    'source.journeyId',
    'source.journeyName',
    'source.referralCode',
    'advocate.customerId',
    'advocate.email',
    'advocate.name',
    'advocate.company',
    'referred.email',
    'referred.name',
    'referred.company',
    'referred.role',
    'referred.customerId',
    'referred.context',
  ],
} as const;

const ID_FIELD = { ownerTask: 'task.id', referral: 'referral.id' } as const;
const ENUM_VALUES: Record<string, readonly string[]> = {
  'referral.stage': ['submitted', 'qualified', 'opportunity', 'closed-won', 'closed-lost', 'reversed'],
};

export class CrmMappingError extends ConfigFileError {
  static override readonly what = 'CRM mapping';
}

const validator = lazyValidator(schema);

function messageOf(e: ErrorObject): string | undefined {
  if (e.keyword === 'pattern') return 'must be a source field such as task.subject (see docs/crm.md for the list)';
  return undefined;
}

/** Every problem in one mapping document, [] when it is valid. `file` names it in the diagnostics. */
export function checkCrmMappings(source: string, file: string): ConfigCheck<CRMMappings> {
  // A failed oneOf repeats what its branches said; the branch errors carry the pointer.
  return checkConfigDocument<CRMMappings>(source, file, {
    validate: validator(),
    wording: { message: messageOf, skipKeywords: ['oneOf'] },
    semantic: mappingProblems,
  });
}

export const { load: loadCrmMappings, loadFromEnv: loadCrmMappingsFromEnv } = configFileLoaders<CRMMappings>({
  shippedFile: CRM_MAPPING_FILE,
  envVar: 'JOURNEY_CRM_MAPPING',
  check: checkCrmMappings,
  error: CrmMappingError,
});

function sourceOf(value: Value): string | undefined {
  if (typeof value === 'string') return value;
  return 'from' in value ? value.from : undefined;
}

function mappingProblems(doc: CRMMappings, at: PlaceProblem): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const [crm, mapping] of Object.entries(doc.mappings)) {
    for (const kind of ['ownerTask', 'referral'] as const) {
      const base = `/mappings/${crm}/${kind}`;
      const known: readonly string[] = CRM_SOURCE_FIELDS[kind];
      const { properties, idProperty } = mapping[kind];
      for (const [name, value] of Object.entries(properties)) {
        const pointer = `${base}/properties/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const field = sourceOf(value);
        if (field !== undefined && !known.includes(field)) {
          const near = closest(field, known);
          problems.push(
            at(
              typeof value === 'string' ? pointer : `${pointer}/from`,
              `unknown ${kind === 'ownerTask' ? 'owner task' : 'referral'} field \`${field}\``,
              'crm.unknownField',
              near ? `did you mean \`${near}\`?` : `one of ${known.join(', ')}`,
            ),
          );
        }
        const values = field ? ENUM_VALUES[field] : undefined;
        if (typeof value === 'object' && 'map' in value && value.map && values) {
          for (const key of Object.keys(value.map)) {
            if (!values.includes(key))
              problems.push(
                at(`${pointer}/map/${key}`, `\`${key}\` is not a value of ${field}`, 'crm.unknownMapKey', `one of ${values.join(', ')}`),
              );
          }
        }
      }
      // The receiver upserts by idProperty: it must carry the engine's id, or a retry would create a second record.
      const idValue = properties[idProperty];
      if (!idValue || sourceOf(idValue) !== ID_FIELD[kind]) {
        problems.push(
          at(
            `${base}/idProperty`,
            `\`${idProperty}\` must be mapped from ${ID_FIELD[kind]}: the receiver upserts by it, so a retried or later stage updates the same record`,
            'crm.idProperty',
            `add "${idProperty}": "${ID_FIELD[kind]}" to properties`,
          ),
        );
      }
    }
  }
  return problems;
}
