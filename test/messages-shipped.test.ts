// Every message the shipped journeys can send, rendered for the shipped sample customers (one with every trait,
// others missing the optional ones) with the same data the interpreter builds: no {{…}} may come out blank.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPreviews } from '../cli/preview/build-previews.ts';
import { loadSamples } from '../cli/commands/preview.ts';
import { compileJourney } from '../definitions/compiler/index.ts';
import { loadCatalog, loadJourneyDir, loadTemplates } from '../definitions/loader.ts';
import { renderWithBlanks } from '../definitions/messages/render.ts';
import { withMessageModelDocs } from '../definitions/messages/model-docs.ts';

const catalog = loadCatalog();
const samples = loadSamples();
const root = join(import.meta.dirname, '..');

describe('the shipped messages', () => {
  it('compile with no template warning: every optional value is guarded', async () => {
    const { plans, diagnostics } = await loadJourneyDir();
    expect(plans).toHaveLength(4);
    expect(diagnostics.filter((d) => d.code.startsWith('template.'))).toEqual([]);
  });

  it('render with no blank for every sample customer, in every motion, variant and step', async () => {
    const { plans } = await loadJourneyDir();
    let rendered = 0;
    for (const plan of plans) {
      for (const p of buildPreviews(plan, samples.customers, samples.events, catalog)) {
        if (p.notSent || p.postmarkAlias) continue;
        rendered++;
        expect(p.blanks, `${plan.journeyId} ${p.motion} ${p.label} for ${p.customer.id}`).toEqual([]);
        expect(p.subject, `${plan.journeyId} ${p.label}: subject`).not.toMatch(/\s[,!?:]|^[,!?:]|\s{2}/);
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(30);
  });

  it('cover customers missing optional traits: the samples include one with an email only', () => {
    const emailOnly = samples.customers.find((c) => Object.keys(c.traits).join() === 'email');
    expect(emailOnly).toBeDefined();
  });

  it('thank the advocate with the reward in words, and name the tier a referral reached', async () => {
    const { plans } = await loadJourneyDir();
    const nps = plans.find((p) => p.journeyId === 'nps-promoter-referral')!;
    const thanks = buildPreviews(nps, samples.customers, samples.events, catalog).filter(
      (p) => p.step === 'thank-you' && p.customer.id === 'casey-complete',
    );
    expect(thanks.map((t) => t.label)).toEqual(['thank-you', 'thank-you, reaching tier silver']);
    expect(thanks[0].subject).toBe('Thank you, Casey: your reward is on its way');
    expect(thanks[0].html).toContain('Thank you! $50 account credit is on its way.');
    expect(thanks[1].html).toContain('$50 account credit is on its way, and you are now a <strong>silver</strong> advocate.');
  });

  it('say "your team" where the company is unknown, never "as  does"', async () => {
    const { plans } = await loadJourneyDir();
    const nps = plans.find((p) => p.journeyId === 'nps-promoter-referral')!;
    const ask = buildPreviews(nps, samples.customers, samples.events, catalog).find(
      (p) => p.label === 'ask' && p.customer.id === 'lee-email-only',
    )!;
    expect(ask.subject).toBe("Know a team who'd love Acme?");
    expect(ask.html).toContain('as much out of Acme as your team does');
    expect(ask.html).toContain('<p>Hi,</p>');
  });
});

describe('finding a blank', () => {
  it('notes each {{…}} that renders missing, empty or as an object, where it is', () => {
    const view = { traits: { firstName: 'Ana', company: '' }, model: {} };
    const { text, blanks } = renderWithBlanks('Hi {{traits.firstName}} of {{traits.company}}, {{traits.plan}} {{model}}', view, {
      html: false,
    });
    expect(text).toBe('Hi Ana of ,  [object Object]');
    expect(blanks).toEqual([
      { name: 'traits.company', offset: 27, why: 'empty' },
      { name: 'traits.plan', offset: 47, why: 'missing' },
      { name: 'model', offset: 63, why: 'object' },
    ]);
  });

  it('catches an unguarded trait in a journey: the preview of a customer without it has a blank', () => {
    const source = readFileSync(join(root, 'definitions/journeys/nps-promoter-referral.json'), 'utf8').replace(
      /"subject": "[^"]* a team who'd love [^"]*"/,
      '"subject": "{{traits.company}}: know a team who\'d love {{model.productName}}?"',
    );
    const { plan, diagnostics } = compileJourney({ file: 'unguarded.json', source, templates: loadTemplates() }, catalog);
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.pointer}`)).toEqual([
      'warning template.mayBeEmpty /motions/referral/invite/template/subject',
    ]);
    const previews = buildPreviews(plan!, samples.customers, samples.events, catalog).filter((p) => p.label === 'ask');
    expect(previews.map((p) => [p.customer.id, p.blanks.map((b) => `${b.in}:${b.name}`)])).toEqual([
      ['casey-complete', []],
      ['kim-no-name', ['subject:traits.company']],
      ['lee-email-only', ['subject:traits.company']],
    ]);
  });

  it('takes a default declared in the journey (traitDefaults): no warning, and no blank', () => {
    const source = readFileSync(join(root, 'definitions/journeys/nps-promoter-referral.json'), 'utf8')
      .replace(
        /"subject": "[^"]* a team who'd love [^"]*"/,
        '"subject": "{{traits.company}}: know a team who\'d love {{model.productName}}?"',
      )
      .replace('"contactPolicy":', '"traitDefaults": { "company": "Your team" },\n  "contactPolicy":');
    const { plan, diagnostics } = compileJourney({ file: 'defaulted.json', source, templates: loadTemplates() }, catalog);
    expect(diagnostics).toEqual([]);
    const kim = buildPreviews(plan!, samples.customers, samples.events, catalog).find(
      (p) => p.label === 'ask' && p.customer.id === 'kim-no-name',
    )!;
    expect(kim.subject).toBe("Your team: know a team who'd love Acme?");
    expect(kim.blanks).toEqual([]);
  });
});

describe('the message model in the docs', () => {
  it('docs/journeys.md lists the message model of every step as declared (npm run docs:message-model)', () => {
    const doc = readFileSync(join(root, 'docs', 'journeys.md'), 'utf8');
    expect(withMessageModelDocs(doc)).toBe(doc);
    for (const step of ['ask', 'reminder', 'owner-task', 'thank-you']) expect(doc).toContain(`**${step}**: `);
    expect(doc).toContain('| `reward.description` | always |');
    expect(doc).toContain('| `tier` | sometimes |');
  });
});
