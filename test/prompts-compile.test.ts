// The compiler on referrer updates and in-product prompts: variables checked against the message model of steps
// referrer-update and prompt, and the rules the schema cannot say, each an error at the right place.
import { describe, expect, it } from 'vitest';
import { compileJourney } from '../definitions/compiler/index.ts';
import { loadCatalog, loadTemplates } from '../definitions/loader.ts';
import { compileOrThrow, promptingJourney, type JourneyJson } from './prompts/journey.ts';

const catalog = loadCatalog();

function diagnosticsOf(def: JourneyJson, templates: Record<string, string> = {}) {
  return compileJourney(
    { file: 'prompting.json', source: JSON.stringify(def, null, 2), templates: { ...loadTemplates(), ...templates } },
    catalog,
  ).diagnostics;
}

describe('referrer updates and in-product prompts in the compiler', () => {
  it('the journey compiles: prompt events are routed to it, the update templates are pinned with the plan', () => {
    const plan = compileOrThrow(promptingJourney());
    expect(plan.routing.prompts).toEqual(['prompt.clicked', 'prompt.dismissed', 'prompt.shown']);
    expect(plan.eventData?.['prompt.shown']).toBeDefined();
    expect(Object.keys(plan.templates)).toEqual(
      expect.arrayContaining(['templates/referral-qualified-update.mustache', 'templates/referral-won-update.mustache']),
    );
    expect(diagnosticsOf(promptingJourney())).toEqual([]);
  });

  it('a journey without prompts has no prompt routing (its plan routes as before)', () => {
    const plan = compileOrThrow(promptingJourney((def) => delete def.motions.referral.invite.channels));
    expect(plan.routing.prompts).toBeUndefined();
  });

  it("a prompt's text naming a variable outside the prompt's message model is an error at its place, with a suggestion", () => {
    const def = promptingJourney((d) => {
      d.motions.referral.invite.prompt.text = 'Know a team, {{traits.firstNme}}? {{unsubscribeLink}}';
    });
    const errors = diagnosticsOf(def).filter((d) => d.severity === 'error');
    expect(errors.map((e) => [e.pointer, e.code])).toEqual([
      ['/motions/referral/invite/prompt/text', 'template.unknownVariable'],
      ['/motions/referral/invite/prompt/text', 'template.unknownVariable'],
    ]);
    expect(errors[0].message).toContain('the prompt message of motion `referral`');
    expect(errors[0].suggestion).toBe('did you mean `{{traits.firstName}}`?');
    // The column points at the variable inside the string.
    expect(errors[1].column).toBeGreaterThan(errors[0].column);
  });

  it("a referrer update's template reading a thank-you's field is an error in the template file, naming where the journey uses it", () => {
    const def = promptingJourney((d) => {
      d.track.referrerUpdates.qualified.template.file = 'templates/test-bad-update.mustache';
    });
    const diagnostics = diagnosticsOf(def, { 'templates/test-bad-update.mustache': '<p>{{reward.description}} for {{referralId}}</p>' });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'definitions/templates/test-bad-update.mustache', code: 'template.unknownVariable', line: 1 });
    expect(errors[0].message).toContain('the referrer-update message');
    expect(errors[0].usedAt?.line).toBeGreaterThan(1);
  });

  it('an unguarded referredName is a warning: some referrals come without a name', () => {
    const def = promptingJourney((d) => {
      d.track.referrerUpdates.qualified.template.file = 'templates/test-unguarded.mustache';
    });
    const diagnostics = diagnosticsOf(def, { 'templates/test-unguarded.mustache': '<p>{{referredName}} is {{referralStage}}</p>' });
    expect(diagnostics.map((d) => [d.severity, d.code])).toEqual([['warning', 'template.mayBeEmpty']]);
  });

  it('in-product without a prompt, on the owner channel, or without an action link are errors, each naming its place', () => {
    const missing = diagnosticsOf(promptingJourney((d) => delete d.motions.referral.invite.prompt));
    expect(missing.map((d) => [d.pointer, d.code])).toEqual([['/motions/referral/invite', 'prompt.missing']]);
    const owner = diagnosticsOf(promptingJourney((d) => (d.motions.referral.invite.channel = 'owner-outreach')));
    expect(owner.filter((d) => d.severity === 'error').map((d) => [d.pointer, d.code])).toContainEqual([
      '/motions/referral/invite/channels',
      'prompt.ownerChannel',
    ]);
    const noLink = diagnosticsOf(promptingJourney((d) => delete d.motions.referral.activate.link));
    expect(noLink.filter((d) => d.code === 'prompt.noLink').map((d) => d.pointer)).toEqual(['/motions/referral/invite/channels']);
  });

  it('an update for a stage no conversion event reaches is an error; beside a thank-you, a reward-issued update is a warning', () => {
    const def = promptingJourney((d) => {
      d.track.conversions = d.track.conversions.filter((c: { stage: string }) => c.stage !== 'qualified');
      d.track.referrerUpdates['reward-issued'] = { template: { file: 'templates/referral-won-update.mustache', subject: 'Paid' } };
    });
    const found = diagnosticsOf(def).map((d) => [d.severity, d.pointer, d.code]);
    expect(found).toContainEqual(['error', '/track/referrerUpdates/qualified', 'referrerUpdate.unreachable']);
    expect(found).toContainEqual(['warning', '/track/referrerUpdates/reward-issued', 'referrerUpdate.doubleThanks']);
  });

  it('a channel misspelled in `channels` is a schema error naming the allowed ones', () => {
    const diagnostics = diagnosticsOf(promptingJourney((d) => (d.motions.referral.invite.channels = ['email', 'in-app'])));
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.pointer)).toEqual(['/motions/referral/invite/channels/1']);
  });
});
