// Checks incoming events' data against the catalog (used by the API at the door). Ajv lives here, never in
// workflow code.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Catalog } from './compiler/catalog.ts';
import { closest } from './compiler/suggest.ts';

export type EventCheck = { ok: true } | { ok: false; errors: { pointer: string; message: string }[] };

export function createEventValidator(catalog: Catalog): (type: string, data: unknown) => EventCheck {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats.default(ajv);
  const validators = new Map<string, ValidateFunction>();
  for (const [type, entry] of Object.entries(catalog.events)) validators.set(type, ajv.compile(entry.data));
  const known = [...validators.keys()];

  return (type, data) => {
    const validate = validators.get(type);
    if (!validate) {
      const near = closest(type, known);
      return {
        ok: false,
        errors: [{ pointer: '/type', message: `unknown event type \`${type}\`${near ? `; did you mean \`${near}\`?` : ''}` }],
      };
    }
    if (validate(data)) return { ok: true };
    return {
      ok: false,
      errors: (validate.errors ?? []).map((e) => ({
        pointer: `/data${e.instancePath}${e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : ''}`,
        message:
          e.keyword === 'required'
            ? `missing required field \`${(e.params as { missingProperty: string }).missingProperty}\``
            : `${e.instancePath ? `\`${e.instancePath.slice(1)}\` ` : ''}${e.message ?? 'is invalid'}`,
      })),
    };
  };
}
