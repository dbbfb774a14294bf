// The API's check of one event: its type and data against the event catalog (the definitions module's
// createEventValidator), and its traits against the traits schema, with a JSON pointer for each problem.
import type { JourneyEvent } from '../workflows/contract/index.ts';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createEventValidator } from '../definitions/events.ts';
import { loadCatalog, type Catalog } from '../definitions/loader.ts';
import type { EventProblem, EventValidator } from './ingest.ts';
import { eventSchema } from './schemas.ts';
import { addTraitFormats } from './trait-formats.ts';
import { MAX_EVENT_BYTES } from './context.ts';

/** Ajv errors as problems, each pointing (under `base`) at the value at fault, or at the missing field. */
export function problemsFrom(errors: ErrorObject[] | null | undefined, base: string): EventProblem[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    const allowed =
      e.keyword === 'enum' ? (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ') : undefined;
    return {
      pointer: `${base}${e.instancePath}${missing}${extra}`,
      message: extra ? `unknown field "${extra.slice(1)}"` : (e.message ?? 'invalid'),
      ...(allowed ? { expected: `one of ${allowed}` } : {}),
    };
  });
}

export function createTraitsValidator(catalog: Catalog = loadCatalog()): (traits: unknown, base?: string) => EventProblem[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  addTraitFormats(ajv);
  const { $schema: _ignored, ...schema } = catalog.traits as Record<string, unknown>;
  const validate = ajv.compile(schema);
  return (traits, base = '') => (validate(traits) ? [] : problemsFrom(validate.errors, base));
}

export function createCatalogEventValidator(catalog: Catalog = loadCatalog()): EventValidator {
  const checkEvent = createEventValidator(catalog);
  const checkTraits = createTraitsValidator(catalog);
  // The envelope too (id, type, customerId, occurredAt), whatever door the event came in by: the Postmark webhook
  // builds events from Postmark's payload, and an id Temporal refuses must be a 4xx here, not a 503 for ever.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const checkEnvelope = ajv.compile(eventSchema);
  return (event: JourneyEvent) => {
    // Bounded at every door (a single event's body limit, a batch item, a Postmark webhook's fields): a larger one
    // would be refused by Temporal (payloads over 2 MB) on every resend, a 503 for ever.
    const bytes = Buffer.byteLength(JSON.stringify(event) ?? '', 'utf8');
    if (bytes > MAX_EVENT_BYTES)
      return [{ pointer: '', message: `the event is ${bytes} bytes`, expected: `at most ${MAX_EVENT_BYTES} bytes` }];
    if (!checkEnvelope(event)) return problemsFrom(checkEnvelope.errors, '');
    const check = checkEvent(event.type, event.data ?? {});
    const problems: EventProblem[] = check.ok ? [] : [...check.errors];
    if (event.traits !== undefined) problems.push(...checkTraits(event.traits, '/traits'));
    return problems;
  };
}
