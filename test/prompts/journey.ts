// The shipped NPS referral journey with the parts issue 19 adds, compiled by the real compiler: referrer updates
// (qualified on, closed-won declared but turned off) and asks delivered as an in-product prompt beside the email.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileJourney } from '../../definitions/compiler/index.ts';
import { JOURNEYS_DIR, loadCatalog, loadTemplates } from '../../definitions/loader.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';

export type JourneyJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function shippedJourneyJson(id = 'nps-promoter-referral'): JourneyJson {
  return JSON.parse(readFileSync(join(JOURNEYS_DIR, `${id}.json`), 'utf8')) as JourneyJson;
}

/** The journey with referrer updates and in-product prompts; `edit` changes it further before compiling. */
export function promptingJourney(edit: (def: JourneyJson) => void = () => {}): JourneyJson {
  const def = shippedJourneyJson();
  def.id = 'prompting-referral';
  def.track.referrerUpdates = {
    qualified: { template: { file: 'templates/referral-qualified-update.mustache', subject: 'Your referral is moving' } },
    'closed-won': { template: { file: 'templates/referral-won-update.mustache', subject: 'Your referral signed' }, enabled: false },
  };
  const invite = def.motions.referral.invite;
  invite.channels = ['email', 'in-product'];
  invite.prompt = {
    text: "{{#traits.firstName}}{{traits.firstName}}, know{{/traits.firstName}}{{^traits.firstName}}Know{{/traits.firstName}} a team who'd love Acme?",
    actionLabel: 'Refer a team',
  };
  edit(def);
  return def;
}

export function compileOrThrow(def: JourneyJson): CompiledPlan {
  const { plan, diagnostics } = compileJourney(
    { file: `${String(def.id)}.json`, source: JSON.stringify(def, null, 2), templates: loadTemplates() },
    loadCatalog(),
  );
  if (!plan) throw new Error(`the test journey does not compile: ${JSON.stringify(diagnostics, null, 1).slice(0, 1500)}`);
  return plan;
}
