// The broken corpus: each file in test/definitions/broken/ has one mistake a marketer could make, and
// expected.json says which error it must produce (pointer, code, words of the message). Every file must fail
// without a plan, and the expected diagnostic must be among the errors.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJourney } from '../definitions/compiler/index.ts';
import { loadCatalog, loadTemplates } from '../definitions/loader.ts';
import { formatDiagnostic } from '../cli/format.ts';

const dir = join(import.meta.dirname, 'definitions', 'broken');
interface Expected {
  pointer: string;
  code: string;
  message: string;
  /** When given: the exact place (file defaults to the broken journey), the whole message and the hint. */
  file?: string;
  line?: number;
  column?: number;
  usedAt?: [line: number, column: number];
  suggestion?: string;
  /** A warning: the file compiles, with this warning. */
  severity?: 'warning';
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
const catalog = loadCatalog();
// The corpus's own broken templates (test/definitions/templates/) next to the shipped ones.
const brokenTemplates = loadTemplates(join(import.meta.dirname, 'definitions', 'templates'));
const templates = { ...loadTemplates(), ...brokenTemplates };
const templatePath = (path: string) => (path in brokenTemplates ? `test/definitions/${path}` : `definitions/${path}`);

describe('broken journey definitions', () => {
  it('has at least 40 cases, each file with an expectation and each expectation with a file', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'expected.json')
      .map((f) => f.replace(/\.json$/, ''));
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: ${want.code} at ${want.pointer || '(document)'}${want.line ? ` (${want.file ?? 'journey'}:${want.line}:${want.column})` : ''}`, () => {
      const file = `test/definitions/broken/${name}.json`;
      const result = compileJourney({ file, source: readFileSync(join(dir, `${name}.json`), 'utf8'), templates, templatePath }, catalog);
      const severity = want.severity ?? 'error';
      if (severity === 'error') expect(result.plan).toBeUndefined();
      else expect(result.plan, 'a warning does not stop the plan').toBeDefined();
      const found = result.diagnostics.filter((d) => d.severity === severity);
      const match = found.find((d) => d.pointer === want.pointer && d.code === want.code);
      expect(
        match,
        `no ${want.code} at ${want.pointer}; got:\n${found.map((d) => `${d.pointer} ${d.code} ${d.message}`).join('\n')}`,
      ).toBeDefined();
      expect(`${match!.message} ${match!.suggestion ?? ''}`).toContain(want.message);
      expect(match!.line).toBeGreaterThanOrEqual(1);
      expect(match!.column).toBeGreaterThanOrEqual(1);
      // One error per mistake: nothing that only echoes it (a cut-off file, a misspelled key, an undefined motion).
      if (severity === 'error')
        expect(found.map((d) => `${d.pointer} ${d.code}: ${d.message}`)).toEqual([`${match!.pointer} ${match!.code}: ${match!.message}`]);
      if (want.line === undefined) {
        expect(match!.file).toBe(file);
        return;
      }
      expect({ file: match!.file, line: match!.line, column: match!.column, message: match!.message }).toEqual({
        file: want.file ?? file,
        line: want.line,
        column: want.column,
        message: want.message,
      });
      expect(match!.suggestion).toBe(want.suggestion);
      if (want.file) expect(match!.usedAt).toEqual({ file, ...(want.usedAt ? { line: want.usedAt[0], column: want.usedAt[1] } : {}) });
    });
  }
});

describe('a check that crashes', () => {
  // A crash inside a check group is a compiler bug, and the file it was checking is then unchecked: it must fail
  // validation with an internal error that names the group, never compile as valid.
  const shipped = 'definitions/journeys/nps-promoter-referral.json';
  const source = readFileSync(join(import.meta.dirname, '..', shipped), 'utf8');
  const crashingCatalog = {
    ...catalog,
    get events(): never {
      throw new Error('catalog.events is broken');
    },
  };

  it('compiles with the real catalog (so the crash alone explains the failure below)', () => {
    expect(compileJourney({ file: shipped, source, templates }, catalog).plan).toBeDefined();
  });

  it('fails validation with compiler.internal naming the check group, instead of passing unchecked', () => {
    const result = compileJourney({ file: shipped, source, templates }, crashingCatalog);
    expect(result.plan).toBeUndefined();
    const internal = result.diagnostics.filter((d) => d.code === 'compiler.internal');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatchObject({ severity: 'error', pointer: '', file: shipped, line: 1, column: 1 });
    expect(internal[0].message).toContain('catalog check');
    expect(internal[0].message).toContain('catalog.events is broken');
  });
});

describe('a template mistake as validate prints it', () => {
  it('names the template file:line:col, then the journey place that uses it, the message and the hint', () => {
    const name = 'template-unknown-trait';
    const file = `test/definitions/broken/${name}.json`;
    const result = compileJourney({ file, source: readFileSync(join(dir, `${name}.json`), 'utf8'), templates, templatePath }, catalog);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'test/definitions/templates/broken-unknown-trait.mustache:2:15  /motions/referral/invite/template/file (in test/definitions/broken/template-unknown-trait.json:131:19)  `{{traits.compnay}}` is not in the message model of the ask message of motion `referral`: `traits` has no `compnay`  (expected one of: traits.email, traits.firstName, traits.lastName, traits.company, traits.timezone, traits.locale, traits.segment, traits.plan, traits.arr, traits.region, traits.healthScore, traits.churnRisk, …)  hint: did you mean `{{traits.company}}`?',
    ]);
  });
});

describe('a send window inside the global quiet hours', () => {
  it('is an error at the window: the global contact policy holds in every journey, so no ask could ever go out', () => {
    const shipped = 'definitions/journeys/nps-promoter-referral.json';
    const source = readFileSync(join(import.meta.dirname, '..', shipped), 'utf8');
    const globalQuietHours = { start: '08:00', end: '20:00', file: 'definitions/contact-policy.json' };
    const result = compileJourney({ file: shipped, source, templates, globalQuietHours }, catalog);
    expect(result.plan).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.pointer, d.code, d.message])).toEqual([
      [
        '/motions/referral/invite/sendWindow',
        'schedule.neverSends',
        'the send window (09:00-17:00) lies inside the quiet hours of the global contact policy (08:00-20:00, definitions/contact-policy.json): no ask of motion `referral` could ever be sent',
      ],
      [
        '/motions/case-study/invite/sendWindow',
        'schedule.neverSends',
        'the send window (10:00-16:00) lies inside the quiet hours of the global contact policy (08:00-20:00, definitions/contact-policy.json): no ask of motion `case-study` could ever be sent',
      ],
    ]);
    // The shipped policy's quiet hours (21:00-08:00) leave every shipped window open.
    expect(
      compileJourney({ file: shipped, source, templates, globalQuietHours: { ...globalQuietHours, start: '21:00', end: '08:00' } }, catalog)
        .plan,
    ).toBeDefined();
  });
});
