// The journey compiler: parse (keeping positions) → schema check → semantic checks → normalized plan with a
// content hash. Pure: the caller reads the files (definitions/loader.ts), this only computes. All problems are
// returned at once; a plan only when there is no error.
import type { Diagnostic } from '../diagnostics.ts';
import type { AdvocacyJourneyDefinition } from '../generated/journey.ts';
import type { CompiledPlan } from '../plan.ts';
import type { Catalog } from './catalog.ts';
import { checkCatalog } from './catalog-check.ts';
import { checkChannels } from './channel-check.ts';
import { checkExperiment } from './experiment-check.ts';
import { checkMotions } from './motion-check.ts';
import { checkOwnerTasks } from './owner-task-check.ts';
import { buildPlan } from './normalize.ts';
import { checkPolicies } from './policy-check.ts';
import { checkRuleReach } from './rule-reach-check.ts';
import { offsetPosition, oneErrorPerMistake, parseWithPositions, toPointer, type ParsedSource } from './positions.ts';
import type { Problem } from './problem.ts';
import { checkSchema } from './schema-check.ts';
import { checkTemplates } from './template-check.ts';
import { templateSites } from './template-sites.ts';
import { checkTemplateVariables } from './template-vars-check.ts';
import type { Node } from 'jsonc-parser';
import WORDING from './wording.json' with { type: 'json' };

export type { Catalog } from './catalog.ts';
export { canonicalJson, contentHash } from './normalize.ts';

export interface JourneySource {
  /** The file name shown in diagnostics (relative to the project root when inside it). */
  file: string;
  /** The file's text. */
  source: string;
  /** Local templates available: path relative to definitions/ (e.g. templates/review-ask.mustache) → contents. */
  templates?: Record<string, string>;
  /** How diagnostics name a template file (default: `definitions/<path>`). */
  templatePath?: (path: string) => string;
  /** The global contact policy's quiet hours (definitions/contact-policy.json), which hold in every journey too. */
  globalQuietHours?: { start: string; end: string; file: string };
}

export interface CompileResult {
  plan?: CompiledPlan;
  diagnostics: Diagnostic[];
}

export function compileJourney(input: JourneySource, catalog: Catalog): CompileResult {
  const parsed = parseWithPositions(input.source);
  const templatePath = input.templatePath ?? ((path: string) => `definitions/${path}`);
  const place = (p: Problem): Diagnostic =>
    placeProblem(input.file, parsed, p, (file) => ({ name: templatePath(file), text: input.templates?.[file] ?? '' }));

  if (parsed.syntaxErrors.length > 0 || parsed.value === undefined) {
    const errors: { offset: number; message: string; missing?: number }[] =
      input.source.trim() === '' || parsed.syntaxErrors.length === 0
        ? [{ offset: 0, message: 'EmptyDocument' }]
        : oneErrorPerMistake(parsed.syntaxErrors, input.source);
    return {
      diagnostics: errors.map((e) => ({
        file: input.file,
        ...offsetPosition(input.source, e.offset),
        pointer: '',
        message:
          e.missing !== undefined
            ? `the file is not valid JSON: it ends early${e.missing > 0 ? `, with ${e.missing === 1 ? 'a bracket' : `${e.missing} brackets`} left open` : ''} (was it cut off?)`
            : `the file is not valid JSON: ${syntaxWords(e.message)}`,
        expected: 'JSON (no comments, no trailing commas)',
        severity: 'error',
        code: 'parse.syntax',
      })),
    };
  }

  const problems: Problem[] = [...duplicateKeys(parsed.root), ...checkSchema(parsed.value)];
  problems.push(...semanticProblems(parsed.value as AdvocacyJourneyDefinition, catalog, input, problems));
  // In journey order: a template's findings sit where the journey uses it, in the template's own order.
  const journeyLine = (d: Diagnostic) => d.usedAt ?? d;
  const diagnostics = problems
    .map(place)
    .sort(
      (a, b) =>
        journeyLine(a).line - journeyLine(b).line ||
        journeyLine(a).column - journeyLine(b).column ||
        a.line - b.line ||
        a.column - b.column,
    );
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { plan: buildPlan(parsed.value as AdvocacyJourneyDefinition, input.templates ?? {}, catalog), diagnostics };
}

/**
 * Semantic checks read the definition as typed data. On a document with schema errors they still run (all errors
 * at once), each group guarded: a group that trips over a malformed part is skipped, and a finding inside (or
 * around) a part the schema already rejected is dropped as noise. On a document the schema accepts, a group that
 * throws is a bug in that check, not in the file: it becomes a `compiler.internal` error naming the group, so the
 * file fails validation instead of passing unchecked.
 */
function semanticProblems(def: AdvocacyJourneyDefinition, catalog: Catalog, input: JourneySource, schemaProblems: Problem[]): Problem[] {
  const templates = input.templates ?? {};
  const groups: [name: string, check: () => Problem[]][] = [
    ['catalog check', () => checkCatalog(def, catalog)],
    ['motion check', () => checkMotions(def)],
    ['owner task check', () => checkOwnerTasks(def)],
    ['policy check', () => checkPolicies(def, input.globalQuietHours)],
    ['rule reach check', () => checkRuleReach(def)],
    ['experiment check', () => checkExperiment(def, catalog)],
    ['template check', () => checkTemplates(def, templates)],
    ['template variable check', () => checkTemplateVariables(def, templateSites(def), templates, catalog)],
    ['prompt and referrer update check', () => checkChannels(def, catalog)],
  ];
  const crashed: [string, unknown][] = [];
  const found = groups.flatMap(([name, check]) => {
    try {
      return check();
    } catch (err) {
      if (schemaProblems.length === 0) crashed.push([name, err]);
      return [];
    }
  });
  // One cause (a broken catalog) can crash several groups: one internal error names them all.
  if (crashed.length > 0) found.push(internalError(crashed));
  if (schemaProblems.length === 0) return found;
  // A missing key is reported at its parent, which says nothing about the parent's other parts.
  const covers = (s: Problem, pointer: string) =>
    pointer === s.pointer || (s.code !== 'schema.required' && pointer.startsWith(`${s.pointer}/`));
  return found.filter((p) => !schemaProblems.some((s) => covers(s, p.pointer)));
}

function internalError(crashed: [group: string, err: unknown][]): Problem {
  const groups = crashed.map(([group]) => group).join(' and ');
  const reasons = [...new Set(crashed.map(([, err]) => (err instanceof Error ? err.message : String(err))))].join('; ');
  return {
    pointer: '',
    message: `internal error: the compiler's ${groups} failed (${reasons}), so this file could not be fully checked`,
    expected: 'a compiler whose checks run to the end; please report this with the file',
    code: 'compiler.internal',
  };
}

function placeProblem(
  file: string,
  parsed: ParsedSource,
  p: Problem,
  template: (file: string) => { name: string; text: string },
): Diagnostic {
  const inJourney =
    p.subjectOffset !== undefined ? parsed.locateInString(p.pointer, p.subjectOffset) : parsed.locate(p.pointer, { key: p.atKey });
  const diagnostic: Diagnostic = {
    file,
    ...inJourney,
    pointer: p.pointer,
    message: p.message,
    severity: p.severity ?? 'error',
    code: p.code,
  };
  if (p.template) {
    // The mistake is in the template file: name it there, and say where the journey uses it.
    const { name, text } = template(p.template.file);
    Object.assign(diagnostic, { file: name, ...offsetPosition(text, p.template.offset), usedAt: { file, ...inJourney } });
  }
  if (p.expected) diagnostic.expected = p.expected;
  if (p.suggestion) diagnostic.suggestion = p.suggestion;
  return diagnostic;
}

/** JSON.parse keeps the last of two equal keys silently; a marketer should hear about the first. */
function duplicateKeys(root: Node | undefined): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: Node, path: (string | number)[]) => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const key = String(property.children?.[0]?.value);
        if (seen.has(key)) {
          problems.push({
            pointer: toPointer([...path, key]),
            atKey: true,
            message: `the key \`${key}\` appears twice; only the last one would count`,
            code: 'parse.duplicateKey',
          });
        }
        seen.add(key);
        const value = property.children?.[1];
        if (value) walk(value, [...path, key]);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => walk(child, [...path, i]));
    }
  };
  if (root) walk(root, []);
  return problems;
}

function syntaxWords(code: string): string {
  return (WORDING.syntaxErrors as Record<string, string>)[code] ?? code;
}
