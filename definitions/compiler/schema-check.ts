// Schema validation (Ajv, JSON Schema 2020-12) with every error translated into words a marketer can act on:
// "unknown key `delai`; did you mean `delay`?" rather than "must NOT have additional properties".
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import journeySchema from '../schema/journey.schema.json' with { type: 'json' };
import { didYouMean } from './suggest.ts';
import { pointerSegments } from './positions.ts';
import type { Problem } from './problem.ts';
import WORDING from './wording.json' with { type: 'json' };

let validator: ValidateFunction | undefined;

/** The journey schema compiled once per process (compiling it is the slow part). */
export function journeyValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    validator = ajv.compile(journeySchema);
  }
  return validator;
}

export function checkSchema(value: unknown): Problem[] {
  const validate = journeyValidator();
  if (validate(value)) return [];
  const errors = keepBestOneOfBranch(validate.errors ?? []);
  const problems: Problem[] = [];
  for (const error of errors) {
    const problem = translate(error);
    if (problem) problems.push(problem);
  }
  return dedupe(withoutEchoes(problems));
}

/** A misspelled key is one mistake: `firstAskDelai` is unknown, and so `firstAskDelay` is missing. Keep the first. */
function withoutEchoes(problems: Problem[]): Problem[] {
  const misspelt = problems.filter((p) => p.code === 'schema.additionalProperties' && p.suggestion);
  return problems.filter((p) => {
    if (p.code !== 'schema.required') return true;
    const key = /`([^`]+)`/.exec(p.message)?.[1];
    return !misspelt.some((m) => m.pointer.startsWith(`${p.pointer}/`) && m.suggestion === `did you mean \`${key}\`?`);
  });
}

/**
 * A failed oneOf (a template that is neither a Postmark nor a local template) reports the errors of every branch.
 * Keep only the branch the author most likely meant: the one with fewest errors.
 */
function keepBestOneOfBranch(errors: ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  let kept = errors;
  for (const oneOf of oneOfs) {
    const prefix = `${oneOf.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0];
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    if (byBranch.size === 0) continue;
    const ranked = [...byBranch.entries()].sort((a, b) => branchRank(a[1]) - branchRank(b[1]));
    const drop = new Set(ranked.slice(1).flatMap(([, es]) => es));
    drop.add(oneOf);
    kept = kept.filter((e) => !drop.has(e));
  }
  return kept;
}

/** Fewer errors wins; an unknown key counts more, since it means the author was writing the other form. */
function branchRank(errors: ErrorObject[]): number {
  return errors.reduce((n, e) => n + (e.keyword === 'additionalProperties' ? 3 : 1), 0);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

function typeName(type: unknown): string {
  const names: Record<string, string> = WORDING.jsonTypes;
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

function fieldName(pointer: string): string {
  const segments = pointerSegments(pointer);
  const last = segments.at(-1);
  return last === undefined ? 'the document' : /^\d+$/.test(last) ? `item ${Number(last) + 1} of \`${segments.at(-2)}\`` : `\`${last}\``;
}

/** A schema description as the tail of "expected …": "An ISO 8601 duration." reads "an ISO 8601 duration". */
function asPhrase(description: unknown): string | undefined {
  if (typeof description !== 'string' || description === '') return undefined;
  const text = description.replace(/[.:]\s*$/, '');
  // Lower the first letter of a sentence, never of an acronym or a name in code (ISO, IANA, HH:MM).
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function examplesOf(schema: unknown): string | undefined {
  const examples = (schema as { examples?: unknown[] } | undefined)?.examples;
  if (!Array.isArray(examples) || examples.length === 0) return undefined;
  return examples
    .slice(0, 3)
    .map((e) => JSON.stringify(e))
    .join(', ');
}

function translate(error: ErrorObject): Problem | undefined {
  const pointer = error.instancePath;
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const code = `schema.${error.keyword}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((parent?.properties as object) ?? {});
      return {
        pointer: `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        atKey: true,
        message: `unknown key \`${key}\``,
        expected: known.length ? `one of: ${known.join(', ')}` : undefined,
        suggestion: didYouMean(key, known),
        code,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const property = (parent?.properties as Record<string, { description?: string }> | undefined)?.[key];
      return {
        pointer,
        message: `missing required key \`${key}\` in ${fieldName(pointer)}`,
        expected: property?.description ? `\`${key}\`: ${asPhrase(property.description)}` : `\`${key}\``,
        code,
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const allowed = ((parent?.propertyNames as { enum?: string[] } | undefined)?.enum ?? []).map(String);
      return {
        pointer: `${pointer}/${name}`,
        atKey: true,
        message: `unknown ${pointer === '/motions' ? 'motion' : 'key'} \`${name}\``,
        expected: allowed.length ? `one of: ${allowed.join(', ')}` : undefined,
        suggestion: didYouMean(name, allowed),
        code,
      };
    }
    case 'enum': {
      // The propertyNames enum error repeats the propertyNames one; it carries the offending name.
      if ((error as ErrorObject & { propertyName?: string }).propertyName !== undefined) return undefined;
      // Event types: the enum is there for editors; the catalog check (against the catalog actually loaded) reports them.
      if (error.schemaPath.startsWith('#/$defs/eventType/')) return undefined;
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      return {
        pointer,
        message: `${describeValue(error.data)} is not allowed for ${fieldName(pointer)}`,
        expected: `one of: ${allowed.join(', ')}`,
        suggestion: typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined,
        code,
      };
    }
    case 'const':
      return {
        pointer,
        message: `${fieldName(pointer)} must be ${JSON.stringify(params.allowedValue)}`,
        expected: JSON.stringify(params.allowedValue),
        code,
      };
    case 'type':
      return {
        pointer,
        message: `${fieldName(pointer)} should be ${typeName(params.type)}, not ${describeValue(error.data)}`,
        expected: typeName(params.type),
        code,
      };
    case 'pattern': {
      const title = String(parent?.title ?? 'value').toLowerCase();
      const isDuration = String(parent?.pattern ?? '').startsWith('^P');
      const calendar = isDuration ? calendarDuration(String(error.data)) : undefined;
      const text = String(error.data);
      const negative = isDuration && /^-\s*P/i.test(text);
      return {
        pointer,
        message: negative
          ? `\`${text}\` is negative: ${fieldName(pointer)} counts forward in time`
          : calendar
            ? `\`${text}\` counts ${calendar.units}, which vary in length; durations here take weeks, days, hours, minutes or seconds`
            : isDuration
              ? `\`${text}\` is not an ISO 8601 duration`
              : `\`${text}\` is not a valid ${title} for ${fieldName(pointer)}`,
        expected: [asPhrase(parent?.description), examplesOf(parent) && `e.g. ${examplesOf(parent)}`].filter(Boolean).join(' '),
        suggestion: negative
          ? `did you mean \`${text.replace(/^-\s*/, '')}\`?`
          : calendar
            ? `write it in days: did you mean \`${calendar.inDays}\`?`
            : isDuration
              ? durationHint(text)
              : undefined,
        code: isDuration ? 'schema.duration' : code,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer,
        message: `${fieldName(pointer)} is ${JSON.stringify(error.data)}; it ${error.message}`,
        expected: `a value ${params.comparison} ${params.limit}`,
        code,
      };
    case 'minItems':
      if (/\/sendWindow\/days$/.test(pointer))
        return {
          pointer,
          message: 'the send window opens on no day of the week: no ask could ever be sent',
          expected: 'at least one day, e.g. ["mon", "tue", "wed", "thu", "fri"]',
          code: 'schedule.neverSends',
        };
      return { pointer, message: `${fieldName(pointer)} needs at least ${params.limit} item${params.limit === 1 ? '' : 's'}`, code };
    case 'maxItems':
      return { pointer, message: `${fieldName(pointer)} may have at most ${params.limit} items`, code };
    case 'minLength':
      return { pointer, message: `${fieldName(pointer)} may not be empty`, code };
    case 'maxLength':
      return { pointer, message: `${fieldName(pointer)} is longer than ${params.limit} characters`, code };
    case 'minProperties':
      return { pointer, message: `${fieldName(pointer)} needs at least ${params.limit} entr${params.limit === 1 ? 'y' : 'ies'}`, code };
    case 'uniqueItems':
      return {
        pointer,
        message: `${fieldName(pointer)} lists the same value twice (items ${Number(params.j) + 1} and ${Number(params.i) + 1})`,
        code,
      };
    case 'oneOf':
      return { pointer, message: `${fieldName(pointer)} matches more than one form`, expected: asPhrase(parent?.description), code };
    default:
      return { pointer, message: `${fieldName(pointer)} ${error.message ?? 'is invalid'}`, code };
  }
}

/**
 * A valid ISO 8601 duration with years or months (P1M, P1Y6M, P1MT12H): the language refuses those because a
 * month has no fixed length; offer the same span in days (a year as 365, a month as 30).
 */
function calendarDuration(text: string): { units: string; inDays: string } | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const days = Number(m[1] ?? 0) * 365 + Number(m[2] ?? 0) * 30 + Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0);
  const units = [m[1] !== undefined && 'years', m[2] !== undefined && 'months'].filter(Boolean).join(' and ');
  return { units, inDays: `P${days}D${m[5] && m[5] !== 'T' ? m[5] : ''}` };
}

/** Common ways people write durations, turned into the ISO form. */
function durationHint(text: string): string | undefined {
  const m = /^\s*(\d+)\s*(w|weeks?|d|days?|h|hours?|m|min|minutes?|s|seconds?)\s*$/i.exec(text);
  if (!m) return 'write durations as ISO 8601, e.g. P2D (2 days), PT4H (4 hours), P1W (1 week)';
  const n = m[1];
  const unit = m[2].toLowerCase();
  const iso = unit.startsWith('w')
    ? `P${n}W`
    : unit.startsWith('d')
      ? `P${n}D`
      : unit.startsWith('h')
        ? `PT${n}H`
        : unit.startsWith('s')
          ? `PT${n}S`
          : `PT${n}M`;
  return `did you mean \`${iso}\`?`;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.pointer}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
