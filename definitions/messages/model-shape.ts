// The message model of one template use, as a tree the template check walks: which names a template may read at
// that step of that motion, which of them may be empty (and why), and which are always empty there. Built from the
// message model's declaration (definitions/catalog/message-model.schema.json), the catalog and the journey.
import MODEL from '../catalog/message-model.schema.json' with { type: 'json' };
import type { Catalog, JsonSchemaNode } from '../compiler/catalog.ts';
import type { MessageStep } from './message-data.ts';

export interface Shape {
  /** Named fields (an object); absent for a plain value. */
  fields?: Record<string, Field>;
  /** The item shape of a list (a section over it iterates). */
  items?: Shape;
  /** A free-form object: any field below it is accepted. */
  open?: boolean;
}

export interface Field {
  shape: Shape;
  description?: string;
  /** Why it may be empty ("customers without a company"); undefined: always present. */
  mayBeEmpty?: string;
  /** Why it is always empty here ("the motion `community` has no activate.link"); the template shows a blank. */
  alwaysEmpty?: string;
}

export interface SiteFacts {
  step: MessageStep;
  motion: string;
  catalog: Catalog;
  /** The template's own `model` from the journey. */
  templateModel?: Record<string, unknown>;
  /** The event types of the journey's listen signals: `event` is the delight event's data. */
  listenEvents: string[];
  /** The motion can also start from an Expand promotion, which carries no delight event. */
  promoted: boolean;
  hasActivateLink: boolean;
  traitDefaults: Record<string, unknown>;
}

interface DeclaredField {
  type?: string;
  description?: string;
  'x-steps'?: string[];
  'x-from'?: string;
  'x-needs'?: string;
  $ref?: string;
  items?: DeclaredField;
  required?: string[];
  properties?: Record<string, DeclaredField>;
}

const declared = MODEL as unknown as {
  required: string[];
  properties: Record<string, DeclaredField>;
  $defs: Record<string, DeclaredField>;
};

/** The step's fields as declared (name → declaration), in declaration order: the docs table reads this too. */
export function declaredFields(step: MessageStep): [string, DeclaredField][] {
  return Object.entries(declared.properties).filter(([, f]) => f['x-steps']?.includes(step));
}

export function stepDescription(step: MessageStep): string {
  return (declared.$defs.steps as unknown as Record<string, string>)[step];
}

export function shapeFor(facts: SiteFacts): Shape {
  const fields: Record<string, Field> = {};
  // The template's model keys are readable at the top level too ({{productName}}); the declared names win.
  for (const [key, value] of Object.entries(facts.templateModel ?? {})) fields[key] = { shape: shapeOfValue(value) };
  for (const [name, field] of declaredFields(facts.step)) {
    const resolved = field.$ref ? { ...resolveRef(field.$ref), ...field } : field;
    fields[name] = {
      shape: fieldShape(resolved, facts),
      description: field.description,
      mayBeEmpty: declared.required.includes(name) ? undefined : `only some messages have \`${name}\``,
      alwaysEmpty:
        field['x-needs'] === 'activate.link' && !facts.hasActivateLink
          ? `the motion \`${facts.motion}\` has no \`activate.link\`, so \`${name}\` is always empty`
          : undefined,
    };
  }
  return { fields };
}

function resolveRef(ref: string): DeclaredField {
  const name = ref.replace('#/$defs/', '');
  return declared.$defs[name];
}

function fieldShape(field: DeclaredField, facts: SiteFacts): Shape {
  switch (field['x-from']) {
    case 'traits':
      return traitsShape(facts);
    case 'template-model':
      return shapeOfValue(facts.templateModel ?? {});
    case 'delight-event':
      return eventShape(facts);
  }
  if (field.type === 'array' && field.items) {
    const items = field.items.$ref ? resolveRef(field.items.$ref) : field.items;
    return { items: fieldShape(items, facts) };
  }
  if (field.properties) {
    const required = field.required ?? [];
    return {
      fields: Object.fromEntries(
        Object.entries(field.properties).map(([k, f]) => [
          k,
          { shape: fieldShape(f, facts), description: f.description, mayBeEmpty: required.includes(k) ? undefined : `it may be empty` },
        ]),
      ),
    };
  }
  return field.type === 'object' ? { open: true } : {};
}

function traitsShape(facts: SiteFacts): Shape {
  const traits = facts.catalog.traits;
  const required = traits.required ?? [];
  return {
    fields: Object.fromEntries(
      Object.entries(traits.properties ?? {}).map(([name, schema]) => [
        name,
        {
          shape: schemaShape(schema),
          description: schema.description,
          mayBeEmpty:
            required.includes(name) || facts.traitDefaults[name] !== undefined
              ? undefined
              : `a customer without \`traits.${name}\` sees a blank there, and \`traitDefaults\` gives it no default`,
        },
      ]),
    ),
  };
}

function eventShape(facts: SiteFacts): Shape {
  const schemas = facts.listenEvents.map((type) => facts.catalog.events[type]?.data).filter((s): s is JsonSchemaNode => Boolean(s));
  const fields: Record<string, Field> = {};
  for (const schema of schemas) {
    for (const [name, field] of Object.entries(schema.properties ?? {}))
      fields[name] ??= { shape: schemaShape(field), description: field.description };
  }
  for (const [name, field] of Object.entries(fields)) {
    const missingIn = facts.listenEvents.filter((type) => !(facts.catalog.events[type]?.data.required ?? []).includes(name));
    if (missingIn.length > 0) field.mayBeEmpty = `the delight event \`${missingIn.join('` or `')}\` may come without \`${name}\``;
    else if (facts.promoted)
      field.mayBeEmpty = `the motion \`${facts.motion}\` also starts from an Expand promotion, which has no delight event`;
  }
  return { fields };
}

function schemaShape(schema: JsonSchemaNode): Shape {
  if (schema.items) return { items: schemaShape(schema.items) };
  if (schema.properties) {
    const required = schema.required ?? [];
    return {
      fields: Object.fromEntries(
        Object.entries(schema.properties).map(([k, s]) => [
          k,
          { shape: schemaShape(s), description: s.description, mayBeEmpty: required.includes(k) ? undefined : 'it may be empty' },
        ]),
      ),
    };
  }
  return schema.type === 'object' ? { open: true } : {};
}

function shapeOfValue(value: unknown): Shape {
  if (Array.isArray(value)) return { items: value.length > 0 ? shapeOfValue(value[0]) : { open: true } };
  if (value && typeof value === 'object')
    return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, { shape: shapeOfValue(v) }])) };
  return {};
}
