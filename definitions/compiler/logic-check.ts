// json-logic conditions: every operator must be one json-logic-js knows, every `var` path must name a field
// the relevant event's data schema, the traits schema or the history schema has.
import type { Catalog, JsonSchemaNode } from './catalog.ts';
import { didYouMean } from './suggest.ts';
import type { Problem } from './problem.ts';

/** The operators json-logic-js 2 ships (`method` and `log` left out on purpose: side effects / method calls). */
export const LOGIC_OPERATORS = [
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  '!!',
  '!',
  '%',
  'in',
  'cat',
  'substr',
  '+',
  '*',
  '-',
  '/',
  'min',
  'max',
  'merge',
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  'and',
  'or',
  'filter',
  'map',
  'reduce',
  'all',
  'none',
  'some',
];
const OPERATORS = new Set(LOGIC_OPERATORS);
/** In these, arguments after the first run once per item, where `var` names the item, not the context. */
const ITERATORS = new Set(['filter', 'map', 'reduce', 'all', 'none', 'some']);

export interface LogicScope {
  /** Event types whose data `event.<field>` may name; empty means `event` is not available here. */
  events: string[];
  /** Says the events here lack a field: "the event `nps.submitted` has no field `rating`" (no double negatives). */
  hasNoField: (field: string) => string;
}

export function checkCondition(condition: unknown, pointer: string, scope: LogicScope, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  walk(condition, pointer, true);
  return problems;

  function walk(node: unknown, at: string, checkVars: boolean): void {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}/${i}`, checkVars));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      problems.push({
        pointer: at,
        message:
          keys.length === 0
            ? 'empty condition object'
            : `a condition has exactly one operator, found ${keys.length}: ${keys.map((k) => `\`${k}\``).join(', ')}`,
        expected: 'one operator, e.g. {">=": [{"var": "event.score"}, 9]}',
        code: 'logic.shape',
      });
      return;
    }
    const op = keys[0];
    const args = (node as Record<string, unknown>)[op];
    const opPointer = `${at}/${op.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!OPERATORS.has(op)) {
      problems.push({
        pointer: opPointer,
        atKey: true,
        message: `unknown json-logic operator \`${op}\``,
        expected: `a json-logic operator: ${LOGIC_OPERATORS.join(' ')}`,
        suggestion: didYouMean(op, LOGIC_OPERATORS),
        code: 'logic.unknownOperator',
      });
      return;
    }
    if (op === 'var') {
      if (checkVars) checkVar(args, opPointer);
      return;
    }
    if (ITERATORS.has(op) && Array.isArray(args)) {
      walk(args[0], `${opPointer}/0`, checkVars);
      args.slice(1).forEach((arg, i) => walk(arg, `${opPointer}/${i + 1}`, false));
      return;
    }
    walk(args, opPointer, checkVars);
  }

  function checkVar(args: unknown, at: string): void {
    const path = Array.isArray(args) ? args[0] : args;
    const pathPointer = Array.isArray(args) ? `${at}/0` : at;
    if (typeof path !== 'string') return;
    const [root, ...fields] = path.split('.');
    if (root === 'event') {
      if (scope.events.length === 0) {
        problems.push({
          pointer: pathPointer,
          message: `\`${path}\`: there is no event here`,
          expected: 'traits.<field> or history.<field>',
          code: 'logic.noEvent',
        });
        return;
      }
      if (fields.length === 0) return;
      // The contact policy and the advocate score read events as { type, data }; journeys read the data directly.
      if (fields[0] === 'data' && fields.length > 1 && !scope.events.some((type) => catalog.events[type]?.data.properties?.data)) {
        problems.push({
          pointer: pathPointer,
          message: `\`${path}\`: in a journey, \`event.\` already is the event's data, so \`data.\` is one level too many`,
          expected: `event.<field>, e.g. event.${fields.slice(1).join('.')}`,
          suggestion: `write \`event.${fields.slice(1).join('.')}\` (the \`event.data.<field>\` form is the contact policy's and the advocate score's)`,
          code: 'logic.eventPathForm',
        });
        return;
      }
      const schemas = scope.events.map((type) => catalog.events[type]?.data).filter((s): s is JsonSchemaNode => Boolean(s));
      if (schemas.length === 0) return; // unknown event types are reported once, where they are named
      if (!schemas.some((schema) => hasPath(schema, fields))) {
        const known = [...new Set(schemas.flatMap((s) => Object.keys(s.properties ?? {})))];
        problems.push({
          pointer: pathPointer,
          message: `\`${path}\`: ${scope.hasNoField(fields.join('.'))}`,
          expected: known.length ? `one of: ${known.map((k) => `event.${k}`).join(', ')}` : 'this event carries no data fields',
          suggestion: didYouMean(fields[0], known)?.replace('`', '`event.'),
          code: 'logic.unknownVar',
        });
      }
      return;
    }
    if (root === 'traits' || root === 'history') {
      const schema = catalog[root];
      if (fields.length > 0 && !hasPath(schema, fields)) {
        const known = Object.keys(schema.properties ?? {});
        problems.push({
          pointer: pathPointer,
          message: `\`${path}\`: the customer's ${root} have no field \`${fields.join('.')}\``,
          expected: `one of: ${known.map((k) => `${root}.${k}`).join(', ')}`,
          suggestion: didYouMean(fields[0], known)?.replace('`', `\`${root}.`),
          code: 'logic.unknownVar',
        });
      }
      return;
    }
    problems.push({
      pointer: pathPointer,
      message: `\`${path}\` is not a variable a condition can read`,
      expected: 'event.<field>, traits.<field> or history.<field>',
      suggestion: didYouMean(root, ['event', 'traits', 'history'])?.replace(/`(\w+)`/, `\`$1.${fields.join('.')}\``),
      code: 'logic.unknownVar',
    });
  }
}

function hasPath(schema: JsonSchemaNode, fields: string[]): boolean {
  let node: JsonSchemaNode | undefined = schema;
  for (const field of fields) {
    if (!node) return false;
    if (/^\d+$/.test(field) && node.items) {
      node = node.items;
      continue;
    }
    // An object schema with no declared properties (free-form) accepts any field below it.
    if (!node.properties) return node.type === 'object' && node.additionalProperties !== false && !('properties' in node);
    node = node.properties[field];
  }
  return node !== undefined;
}
