// Generates TypeScript types from the JSON Schemas, the single sources of the shapes they describe:
// definitions/generated/journey.ts (a journey definition) and definitions/generated/contact-policy.ts (the
// global contact policy). `--check` exits 1 when a committed file is stale (the test suite runs it).
import { compile, type JSONSchema } from 'json-schema-to-typescript';
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
