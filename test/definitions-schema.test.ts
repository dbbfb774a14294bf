// The schema is the marketer's help text: every property an editor can complete must carry a title, a
// description and examples, and the generated TypeScript types must match it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const readSchema = (name: string) => JSON.parse(readFileSync(join(root, 'definitions/schema', name), 'utf8'));
const schema = readSchema('journey.schema.json');

/** Every property schema in the document: the values of each `properties` map, plus map-valued `additionalProperties`. */
function propertySites(node: unknown, pointer: string, out: { pointer: string; schema: Record<string, unknown> }[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => propertySites(item, `${pointer}/${i}`, out));
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'examples') continue;
    // if/then/else restate properties declared beside them (additionalProperties: false allows no new ones there)
    if (key === 'if' || key === 'then' || key === 'else') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [name, property] of Object.entries(value))
        out.push({ pointer: `${pointer}/properties/${name}`, schema: property as Record<string, unknown> });
    }
    if (key === 'additionalProperties' && value && typeof value === 'object')
      out.push({ pointer: `${pointer}/additionalProperties`, schema: value as Record<string, unknown> });
    propertySites(value, `${pointer}/${key}`, out);
  }
}

function missingHelp(sites: { pointer: string; schema: Record<string, unknown> }[]): string[] {
  return sites.flatMap(({ pointer, schema: s }) =>
    (['title', 'description', 'examples'] as const)
      .filter((k) =>
        k === 'examples'
          ? !(Array.isArray(s.examples) && s.examples.length > 0)
          : !(typeof s[k] === 'string' && (s[k] as string).length > 0),
      )
      .map((k) => `${pointer}: ${k}`),
  );
}

describe('journey JSON Schema', () => {
  const sites: { pointer: string; schema: Record<string, unknown> }[] = [];
  propertySites(schema, '', sites);

  it('finds the properties it checks', () => {
    expect(sites.length).toBeGreaterThan(100);
  });

  it('gives every property a title, a description and examples', () => {
    expect(missingHelp(sites)).toEqual([]);
  });

  it('and so does the global contact policy schema (definitions/contact-policy.json)', () => {
    const policySites: { pointer: string; schema: Record<string, unknown> }[] = [];
    propertySites(readSchema('contact-policy.schema.json'), '', policySites);
    expect(policySites.length).toBeGreaterThan(15);
    expect(missingHelp(policySites)).toEqual([]);
  });

  it('has generated types that are up to date with it', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate-types.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
  });
});
