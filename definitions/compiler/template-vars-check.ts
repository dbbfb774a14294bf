// Template variables: every {{…}} of every local template (body and subject) is looked up in the message model of
// the step that uses it (ask, reminder, owner task, thank-you), per motion and variant, the way Mustache will
// look it up at send time (sections push a context; a name missing there is looked up in the enclosing one).
// An unknown name is an error at the template's line and column; a name that may be empty for some customers is a
// warning unless a section guards it or the journey declares a default; a name always empty there is an error.
import Mustache from 'mustache';
import type { AdvocacyJourneyDefinition, MotionPlan } from '../generated/journey.ts';
import type { MessageStep } from '../messages/message-data.ts';
import { shapeFor, type Field, type Shape } from '../messages/model-shape.ts';
import type { Catalog } from './catalog.ts';
import type { Problem } from './problem.ts';
import { closest } from './suggest.ts';
import { isLocal, type TemplateSite } from './template-sites.ts';

type Token = [type: string, value: string, start: number, end: number, children?: Token[]];

/** Where a template's text sits: a file under definitions/ (its offsets are in that file) or the subject string. */
type TextAt = { file: string } | { subjectOf: string };

export function checkTemplateVariables(
  def: AdvocacyJourneyDefinition,
  sites: TemplateSite[],
  templates: Record<string, string>,
  catalog: Catalog,
): Problem[] {
  const promoted = new Set<string>((def.expand?.promotions ?? []).map((p) => p.motion));
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const site of sites) {
    const { template, motion } = site;
    if (!isLocal(template)) continue; // a Postmark template's body lives in Postmark
    const plan = (def.motions as Record<string, MotionPlan>)[motion];
    const shape = shapeFor({
      step: site.step,
      motion,
      catalog,
      templateModel: template.model as Record<string, unknown> | undefined,
      listenEvents: [...new Set(def.listen.signals.map((s) => s.event))],
      promoted: promoted.has(motion),
      hasActivateLink: Boolean(plan.activate.link),
      traitDefaults: (def.traitDefaults ?? {}) as Record<string, unknown>,
    });
    const texts: [string | undefined, TextAt][] = [
      [template.subject, { subjectOf: `${site.pointer}/subject` }],
      [templates[template.file], { file: template.file }],
    ];
    for (const [text, at] of texts) {
      const tokens = parsed(text);
      if (!tokens) continue; // a missing or unparsable template is reported by the template check
      for (const p of lookUp(tokens, shape, site, at)) {
        // One template used by several motions or steps: one finding per place in it, named at its first use.
        const key = `${'file' in at ? at.file : site.pointer}|${p.template?.offset ?? p.subjectOffset}|${p.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push(p);
      }
    }
  }
  return problems;
}

/** One inline Mustache string of the journey (an in-product prompt's text or label) checked as a template is. */
export function checkInlineText(
  def: AdvocacyJourneyDefinition,
  site: { pointer: string; text: string; motion: string; step: MessageStep },
  catalog: Catalog,
): Problem[] {
  const promoted = new Set<string>((def.expand?.promotions ?? []).map((p) => p.motion));
  const plan = (def.motions as Record<string, MotionPlan>)[site.motion];
  const shape = shapeFor({
    step: site.step,
    motion: site.motion,
    catalog,
    listenEvents: [...new Set(def.listen.signals.map((s) => s.event))],
    promoted: promoted.has(site.motion),
    hasActivateLink: Boolean(plan.activate.link),
    traitDefaults: (def.traitDefaults ?? {}) as Record<string, unknown>,
  });
  const tokens = parsed(site.text);
  if (!tokens) return [{ pointer: site.pointer, message: 'the text does not parse as Mustache', code: 'template.syntax' }];
  const asSite = { pointer: site.pointer, motion: site.motion, step: site.step } as TemplateSite;
  return lookUp(tokens, shape, asSite, { subjectOf: site.pointer });
}

function parsed(text: string | undefined): Token[] | undefined {
  if (text === undefined) return undefined;
  try {
    return Mustache.parse(text) as unknown as Token[];
  } catch {
    return undefined;
  }
}

interface Level {
  shape: Shape;
  /** The path of this context from the top ('' at the top; `rewards[]` inside a section over a list). */
  path: string;
}

function lookUp(tokens: Token[], top: Shape, site: TemplateSite, at: TextAt): Problem[] {
  const problems: Problem[] = [];
  const where = (offset: number) =>
    'file' in at
      ? { template: { file: at.file, offset }, pointer: `${site.pointer}/file` }
      : { subjectOffset: offset, pointer: at.subjectOf };
  const stepWords = `the ${site.step} message of motion \`${site.motion}\`${site.variant ? ` (variant \`${site.variant}\`)` : ''}`;

  const walk = (list: Token[], stack: Level[], guarded: string[]) => {
    for (const token of list) {
      const [type, name, start] = token;
      if (type === 'text' || type === '!' || type === '=') continue;
      if (type === '>') {
        problems.push({
          ...where(start),
          message: `partials ({{> ${name}}}) are not supported: ${stepWords} would render nothing there`,
          code: 'template.partial',
        });
        continue;
      }
      const found = resolve(name, stack);
      if (!found) {
        problems.push(unknown(name, stack, stepWords, where(start)));
        continue;
      }
      if (type === '#' || type === '^') {
        const inner =
          type === '#'
            ? [...stack, { shape: found.field.shape.items ?? found.field.shape, path: found.path + (found.field.shape.items ? '[]' : '') }]
            : stack;
        walk(token[4] ?? [], inner, type === '#' ? [...guarded, found.path] : guarded);
        continue;
      }
      const blank = emptyReason(found, guarded);
      if (blank?.always) {
        problems.push({ ...where(start), message: `\`{{${name}}}\` in ${stepWords}: ${blank.why}`, code: 'template.alwaysEmpty' });
      } else if (blank) {
        const guard = `{{#${found.path}}}…{{/${found.path}}}`;
        problems.push({
          ...where(start),
          severity: 'warning',
          message: `\`{{${name}}}\` in ${stepWords} may be blank: ${blank.why}`,
          suggestion: found.path.startsWith('traits.')
            ? `wrap it in ${guard}, or give it a default: "traitDefaults": {"${found.path.slice(7)}": "…"}`
            : `wrap it in ${guard}`,
          code: 'template.mayBeEmpty',
        });
      } else if (found.field.shape.fields || found.field.shape.items) {
        problems.push({
          ...where(start),
          message: `\`{{${name}}}\` in ${stepWords} is ${found.field.shape.items ? 'a list' : 'an object'}, which renders as ${found.field.shape.items ? 'its items joined by commas' : '[object Object]'}`,
          suggestion: found.field.shape.fields
            ? `name one of its fields: ${Object.keys(found.field.shape.fields)
                .map((f) => `${name}.${f}`)
                .join(', ')}`
            : `iterate it: {{#${name}}}…{{/${name}}}`,
          code: 'template.notText',
        });
      }
    }
  };
  walk(tokens, [{ shape: top, path: '' }], []);
  return problems;
}

interface Found {
  path: string;
  /** Every field along the path, outermost first, with the path up to it. */
  chain: { field: Field; path: string }[];
  field: Field;
}

/** Mustache's lookup: the whole dotted name in the innermost context that has it, else the next one out. */
function resolve(name: string, stack: Level[]): Found | undefined {
  for (let i = stack.length - 1; i >= 0; i--) {
    const level = stack[i];
    if (name === '.') return { path: level.path, chain: [], field: { shape: level.shape } };
    let shape: Shape | undefined = level.shape;
    const chain: Found['chain'] = [];
    let path = level.path;
    for (const segment of name.split('.')) {
      if (shape?.open) return { path: `${path}.${segment}`.replace(/^\./, ''), chain, field: { shape: { open: true } } };
      const field: Field | undefined = shape?.fields?.[segment];
      if (!field) {
        shape = undefined;
        break;
      }
      path = path ? `${path}.${segment}` : segment;
      chain.push({ field, path });
      shape = field.shape;
    }
    if (shape && chain.length > 0) return { path, chain, field: chain[chain.length - 1].field };
  }
  return undefined;
}

function emptyReason(found: Found, guarded: string[]): { always: boolean; why: string } | undefined {
  const covered = (path: string) => guarded.some((g) => path === g || path.startsWith(`${g}.`) || path.startsWith(`${g}[]`));
  for (const { field, path } of found.chain) {
    if (field.alwaysEmpty) return { always: true, why: field.alwaysEmpty };
    if (field.mayBeEmpty && !covered(path)) return { always: false, why: field.mayBeEmpty };
  }
  return undefined;
}

function unknown(name: string, stack: Level[], stepWords: string, where: { pointer: string }): Problem {
  const top = stack[0].shape;
  const segments = name.split('.');
  // The deepest known prefix says where the name went wrong: `traits.compnay` → the traits have no `compnay`.
  let shape: Shape | undefined = top;
  let known = '';
  for (const segment of segments.slice(0, -1)) {
    const next: Field | undefined = shape?.fields?.[segment];
    if (!next) break;
    known = known ? `${known}.${segment}` : segment;
    shape = next.shape;
  }
  const options = Object.keys(shape?.fields ?? {}).map((f) => (known ? `${known}.${f}` : f));
  const near = closest(name, options) ?? closest(name, allPaths(top));
  return {
    ...where,
    message: `\`{{${name}}}\` is not in the message model of ${stepWords}${known ? `: \`${known}\` has no \`${segments[known.split('.').length]}\`` : ''}`,
    expected: options.length ? `one of: ${options.slice(0, 12).join(', ')}${options.length > 12 ? ', …' : ''}` : undefined,
    suggestion: near ? `did you mean \`{{${near}}}\`?` : undefined,
    code: 'template.unknownVariable',
  };
}

function allPaths(shape: Shape, prefix = ''): string[] {
  return Object.entries(shape.fields ?? {}).flatMap(([k, f]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...allPaths(f.shape, path)];
  });
}

export type { MessageStep };
