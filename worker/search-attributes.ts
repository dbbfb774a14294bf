// Registers the contract's search attributes on the dev server and checks a cluster has them at worker start.
// The keys themselves live in workflows/contract/search-attributes.ts (workflows upsert them).
import { SearchAttributeType } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/contract/search-attributes.ts';

const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `Name=Type` arguments for `temporal server start-dev --search-attribute`. */
export function devServerSearchAttributeArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}

// The visibility API answers with IndexedValueType numbers; these are their names in the SDK's terms.
const INDEXED_VALUE_TYPES: Record<number, string> = {
  1: SearchAttributeType.TEXT,
  2: SearchAttributeType.KEYWORD,
  3: SearchAttributeType.INT,
  4: SearchAttributeType.DOUBLE,
  5: SearchAttributeType.BOOL,
  6: SearchAttributeType.DATETIME,
  7: SearchAttributeType.KEYWORD_LIST,
};

export interface SearchAttributeProblem {
  name: string;
  expected: string;
  /** The type registered in the namespace, when the name exists with another type. */
  found?: string;
}

interface OperatorServiceLike {
  listSearchAttributes(req: { namespace: string }): Promise<{ customAttributes?: Record<string, unknown> | null }>;
}

/** The required search attributes the namespace lacks, or has with another type. */
export async function findSearchAttributeProblems(
  operatorService: OperatorServiceLike,
  namespace: string,
  required: ReadonlyArray<{ name: string; type: string }> = ALL_SEARCH_ATTRIBUTES,
): Promise<SearchAttributeProblem[]> {
  const { customAttributes } = await operatorService.listSearchAttributes({ namespace });
  const registered = customAttributes ?? {};
  const problems: SearchAttributeProblem[] = [];
  for (const key of required) {
    if (!(key.name in registered)) {
      problems.push({ name: key.name, expected: key.type });
      continue;
    }
    const raw = registered[key.name];
    const found = typeof raw === 'number' ? INDEXED_VALUE_TYPES[raw] : String(raw).replace(/^INDEXED_VALUE_TYPE_/, '');
    if (found !== key.type) problems.push({ name: key.name, expected: key.type, found });
  }
  return problems;
}

/** A message an operator can act on: what is missing and the command that adds it. */
export function describeSearchAttributeProblems(namespace: string, problems: SearchAttributeProblem[]): string {
  const lines = problems.map((p) =>
    p.found
      ? `  ${p.name}: registered as ${p.found}, expected ${p.expected}`
      : `  ${p.name} (${p.expected}) is missing: temporal operator search-attribute create --namespace ${namespace} --name ${p.name} --type ${CLI_TYPE_NAMES[p.expected] ?? p.expected}`,
  );
  return (
    `namespace "${namespace}" lacks the search attributes journey runs set (${problems.map((p) => p.name).join(', ')}):\n${lines.join('\n')}\n` +
    'Register them (Temporal Cloud: tcld namespace search-attributes add, or the Cloud UI), then start the worker again.'
  );
}

/** Throws a clear error naming every missing or mistyped search attribute. */
export async function assertSearchAttributes(
  operatorService: OperatorServiceLike,
  namespace: string,
  required: ReadonlyArray<{ name: string; type: string }> = ALL_SEARCH_ATTRIBUTES,
): Promise<void> {
  const problems = await findSearchAttributeProblems(operatorService, namespace, required);
  if (problems.length > 0) throw new MissingSearchAttributesError(describeSearchAttributeProblems(namespace, problems), problems);
}

export class MissingSearchAttributesError extends Error {
  constructor(
    message: string,
    readonly problems: SearchAttributeProblem[],
  ) {
    super(message);
    this.name = 'MissingSearchAttributesError';
  }
}
