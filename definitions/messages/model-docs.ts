// The message model as the docs show it (docs/journeys.md, between the message-model markers): one table per step,
// generated from definitions/catalog/message-model.schema.json so the docs cannot drift from what the compiler checks.
import MODEL from '../catalog/message-model.schema.json' with { type: 'json' };
import { MESSAGE_STEPS } from './message-data.ts';
import { declaredFields, stepDescription } from './model-shape.ts';

export const MARKERS = { start: '<!-- message-model:start (generated: npm run docs:message-model) -->', end: '<!-- message-model:end -->' };

interface Declared {
  type?: string;
  description?: string;
  'x-from'?: string;
  'x-needs'?: string;
  $ref?: string;
  items?: { $ref?: string };
  properties?: Record<string, { description?: string }>;
  required?: string[];
}

const required = new Set((MODEL as { required: string[] }).required);
const rewardItem = (MODEL as unknown as { $defs: { rewardItem: Declared } }).$defs.rewardItem;

function presence(name: string, field: Declared): string {
  if (field['x-from'] === 'traits') return 'each may be missing';
  if (field['x-from'] === 'delight-event') return 'as the event carries it';
  if (field['x-needs']) return `when the motion has \`${field['x-needs']}\``;
  return required.has(name) ? 'always' : 'sometimes';
}

function rows(name: string, field: Declared): string[] {
  const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|');
  const main = `| \`${name}${field['x-from'] ? '.<field>' : ''}\` | ${presence(name, field)} | ${cell(field.description)} |`;
  const item = field.$ref || field.items?.$ref ? rewardItem : field;
  const below = Object.entries(item.properties ?? {}).map(
    ([k, f]) =>
      `| \`${name}${field.items ? '[]' : ''}.${k}\` | ${(item.required ?? []).includes(k) ? 'always' : 'sometimes'} | ${cell(f.description)} |`,
  );
  return [main, ...below];
}

export function messageModelDocs(): string {
  const parts = [MARKERS.start, ''];
  for (const step of MESSAGE_STEPS) {
    parts.push(`**${step}**: ${stepDescription(step)}`, '', '| variable | present | what it holds |', '| --- | --- | --- |');
    for (const [name, field] of declaredFields(step)) parts.push(...rows(name, field as Declared));
    parts.push('');
  }
  parts.push(MARKERS.end);
  return parts.join('\n');
}

/** The docs text with the generated section replaced (it must already hold both markers). */
export function withMessageModelDocs(doc: string): string {
  const start = doc.indexOf(MARKERS.start);
  const end = doc.indexOf(MARKERS.end);
  if (start < 0 || end < start) throw new Error('docs/journeys.md has no message-model markers');
  return doc.slice(0, start) + messageModelDocs() + doc.slice(end + MARKERS.end.length);
}
