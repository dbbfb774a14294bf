// The door inside the run: an event signalled straight to journey:<j>:<customer> (the official client, a script,
// a replayed batch) never passed the API's checks. It is refused with a note, not acted on, when it is of a type
// this journey does not take, about another customer, with data its catalog schema refuses (the schema travels in
// the plan: plan.eventData), or with traits no ask could use. Pure and deterministic: no Ajv, no files.
import type { JsonSchemaNode } from '../../definitions/compiler/catalog.ts';
import type { JourneyEvent } from '../contract/index.ts';
import type { RunContext } from './context.ts';
import { isKnownTimeZone } from './send-window.ts';

const MAX_PROBLEMS = 3;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

/** The subset of JSON Schema the event catalog uses: type, required, properties, additionalProperties: false,
 *  enum, minimum / maximum, minLength / maxLength, pattern, items. Problems as "<pointer> <what is wrong>". */
export function schemaProblems(schema: JsonSchemaNode, value: unknown, pointer: string, out: string[] = [], depth = 0): string[] {
  if (out.length >= MAX_PROBLEMS || depth > 16) return out;
  const actual = typeOf(value);
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((t) => typeMatches(t, actual))) {
    out.push(`${pointer} is ${actual}, not ${types.join(' or ')}`);
    return out;
  }
  if (schema.enum && !schema.enum.some((v) => v === value))
    out.push(`${pointer} is not one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${pointer} is below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(`${pointer} is above ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) out.push(`${pointer} is shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) out.push(`${pointer} is longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      out.push(`${pointer} does not match ${schema.pattern}`);
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) out.push(`${pointer}/${key} is missing`);
    for (const [key, child] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) schemaProblems(sub, child, `${pointer}/${key}`, out, depth + 1);
      else if (schema.additionalProperties === false) out.push(`${pointer}/${key} is not a field of this event`);
    }
  }
  if (actual === 'array' && schema.items)
    (value as unknown[]).forEach((v, i) => schemaProblems(schema.items!, v, `${pointer}/${i}`, out, depth + 1));
  return out.slice(0, MAX_PROBLEMS);
}

// One @, no spaces or brackets: the API checks the full format; this only refuses what no mailbox can be.
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/u;

/** What no ask could use in traits sent straight to a workflow (the API checks the full traits schema). */
export function traitProblems(traits: unknown): string[] {
  if (traits === undefined) return [];
  if (typeOf(traits) !== 'object') return ['/traits is not an object'];
  const t = traits as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['email', 'ownerEmail'])
    if (t[field] !== undefined && !(typeof t[field] === 'string' && t[field].length <= 320 && ADDRESS.test(t[field])))
      problems.push(`/traits/${field} is not an email address`);
  for (const field of ['timezone', 'ownerTimezone'])
    if (t[field] !== undefined && !(typeof t[field] === 'string' && isKnownTimeZone(t[field])))
      problems.push(`/traits/${field} is not an IANA time zone`);
  return problems;
}

/** Roles whose events are about a referred person: their customerId is the referred one, their referrer is us. */
function aboutAReferral(ctx: RunContext, type: string): boolean {
  return ctx.plan.routing.conversions.includes(type) || ctx.plan.routing.reversals.includes(type);
}

/** Why this run must not act on the event, or undefined when it may. */
export function refusalOf(ctx: RunContext, event: JourneyEvent): string | undefined {
  const { routing, eventData } = ctx.plan;
  const known = Object.values(routing).some((types) => types.includes(event.type));
  if (!known) return `type ${JSON.stringify(event.type.slice(0, 80))} is not an event this journey takes`;
  if (typeof event.customerId !== 'string' || (event.customerId !== ctx.state.customerId && !aboutAReferral(ctx, event.type)))
    return `it names customer ${JSON.stringify(String(event.customerId).slice(0, 80))}, and this run is ${ctx.state.customerId}'s`;
  const schema = eventData?.[event.type];
  const problems = [...(schema ? schemaProblems(schema, event.data, '/data') : []), ...traitProblems(event.traits)];
  return problems.length > 0 ? problems.join('; ') : undefined;
}
