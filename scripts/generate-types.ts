// Generates definitions/generated/journey.ts from the JSON Schema, the single source of the definition's shape.
// `--check` exits 1 when the committed file is stale (the test suite runs it).
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const schemaPath = fileURLToPath(new URL('../definitions/schema/journey.schema.json', import.meta.url));
const outPath = fileURLToPath(new URL('../definitions/generated/journey.ts', import.meta.url));

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

export async function generateJourneyTypes(): Promise<string> {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as JSONSchema;
  const ts = await compile(forTypes(schema) as JSONSchema, 'AdvocacyJourneyDefinition', {
    bannerComment: '// Generated from definitions/schema/journey.schema.json by scripts/generate-types.ts. Do not edit.',
    unreachableDefinitions: false,
    additionalProperties: false,
    format: true,
  });
  return ts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ts = await generateJourneyTypes();
  if (process.argv.includes('--check')) {
    const current = readFileSync(outPath, 'utf8');
    if (current !== ts) {
      console.error('definitions/generated/journey.ts is stale: run `npm run generate`');
      process.exit(1);
    }
    console.log('generated types are up to date');
  } else {
    writeFileSync(outPath, ts);
    console.log(`wrote ${outPath}`);
  }
}
