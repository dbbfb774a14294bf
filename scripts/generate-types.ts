// Generates TypeScript types from the JSON Schemas, the single sources of the shapes they describe:
// definitions/generated/journey.ts (a journey definition) and definitions/generated/contact-policy.ts (the
// global contact policy). `--check` exits 1 when a committed file is stale (the test suite runs it).
// First it writes the catalog's event types (definitions/catalog/events.json) into every schema field that names an
// event type, as an enum: editors then complete event types and flag typos (`nps.submited`) as you type.
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const TARGETS = [
  {
    schema: here('../definitions/schema/journey.schema.json'),
    out: here('../definitions/generated/journey.ts'),
    root: 'AdvocacyJourneyDefinition',
  },
  {
    schema: here('../definitions/schema/contact-policy.schema.json'),
    out: here('../definitions/generated/contact-policy.ts'),
    root: 'ContactPolicy',
  },
  {
    schema: here('../definitions/schema/advocate-score.schema.json'),
    out: here('../definitions/generated/advocate-score.ts'),
    root: 'AdvocateScoreConfig',
  },
  {
    schema: here('../definitions/schema/crm.schema.json'),
    out: here('../definitions/generated/crm.ts'),
    root: 'CrmMappings',
  },
  {
    schema: here('../definitions/schema/kpi.schema.json'),
    out: here('../definitions/generated/kpi.ts'),
    root: 'KpiDefinition',
  },
  {
    schema: here('../definitions/schema/pages.schema.json'),
    out: here('../definitions/generated/pages.ts'),
    root: 'PagesConfig',
  },
];

const CATALOG = here('../definitions/catalog/events.json');
/** Each schema file and the JSON pointers (as key paths) of its event-type fields. */
const EVENT_TYPE_FIELDS: { schema: string; paths: string[][] }[] = [
  { schema: here('../definitions/schema/journey.schema.json'), paths: [['$defs', 'eventType']] },
  { schema: here('../definitions/schema/contact-policy.schema.json'), paths: [['$defs', 'suppressionRule', 'properties', 'event']] },
  { schema: here('../definitions/schema/advocate-score.schema.json'), paths: [['$defs', 'signal', 'properties', 'event']] },
];

/** The schema text with every event-type field's enum set to the catalog's types; the file's own layout is kept. */
function withCatalogEnums(file: string, paths: string[][]): string {
  const types = Object.keys((JSON.parse(readFileSync(CATALOG, 'utf8')) as { events: object }).events);
  let text = readFileSync(file, 'utf8');
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };
  for (const path of paths) {
    if (!findNodeAtLocation(parseTree(text)!, path)) throw new Error(`${file}: no ${path.join('/')} to write the event types into`);
    // The enum says it all: a pattern or minLength next to it would only add a second error for one typo.
    for (const [key, value] of [
      ['pattern', undefined],
      ['minLength', undefined],
      ['enum', types],
    ] as const)
      text = applyEdits(text, modify(text, [...path, key], value, { formattingOptions }));
  }
  return text;
}

/** Titles name interfaces; on primitives and $ref sites they would only add alias noise, so drop them there. */
function forTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forTypes);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'examples' ? v : forTypes(v);
  const isNamedObject = out.type === 'object' && !('$ref' in out);
  if (!isNamedObject) delete out.title;
  return out;
}

async function generate(target: (typeof TARGETS)[number]): Promise<string> {
  const schema = JSON.parse(readFileSync(target.schema, 'utf8')) as JSONSchema;
  // Event types stay `string` in TypeScript: code compares them with types read off the wire, and the compiler
  // checks them against the catalog it is given (which a deployment may extend); the enum is for editors.
  for (const path of EVENT_TYPE_FIELDS.find((f) => f.schema === target.schema)?.paths ?? []) {
    const node = path.reduce<Record<string, unknown>>((at, key) => at[key] as Record<string, unknown>, schema as Record<string, unknown>);
    node.tsType = 'string';
  }
  const name = target.schema.slice(target.schema.lastIndexOf('definitions/'));
  return compile(forTypes(schema) as JSONSchema, target.root, {
    bannerComment: `// Generated from ${name} by scripts/generate-types.ts. Do not edit.`,
    unreachableDefinitions: false,
    additionalProperties: false,
    format: true,
  });
}

export async function generateJourneyTypes(): Promise<string> {
  return generate(TARGETS[0]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = false;
  // The enums first: the types below are generated from the schemas they land in.
  for (const { schema, paths } of EVENT_TYPE_FIELDS) {
    const text = withCatalogEnums(schema, paths);
    if (readFileSync(schema, 'utf8') === text) continue;
    if (check) {
      console.error(
        `${schema}: its event types differ from definitions/catalog/events.json: run \`node --import tsx scripts/generate-types.ts\``,
      );
      stale = true;
    } else {
      writeFileSync(schema, text);
      console.log(`wrote the catalog's event types into ${schema}`);
    }
  }
  for (const target of TARGETS) {
    const ts = await generate(target);
    if (!check) {
      writeFileSync(target.out, ts);
      console.log(`wrote ${target.out}`);
    } else if (readFileSync(target.out, 'utf8') !== ts) {
      console.error(`${target.out} is stale: run \`node --import tsx scripts/generate-types.ts\``);
      stale = true;
    }
  }
  if (stale) process.exit(1);
  if (check) console.log('generated types are up to date');
}
