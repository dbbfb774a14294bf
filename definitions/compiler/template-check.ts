// Local Mustache templates: each one named must exist under definitions/templates/ and parse; subjects must parse.
import Mustache from 'mustache';
import type { AdvocacyJourneyDefinition, LocalTemplate, PostmarkTemplate } from '../generated/journey.ts';
import type { Problem } from './problem.ts';
import { closest } from './suggest.ts';

type Template = PostmarkTemplate | LocalTemplate;

/** Every template site in a definition, with its pointer. */
export function templateSites(def: AdvocacyJourneyDefinition): { pointer: string; template: Template }[] {
  const sites: { pointer: string; template: Template }[] = [];
  for (const [motion, plan] of Object.entries(def.motions)) {
    const at = `/motions/${motion}`;
    sites.push({ pointer: `${at}/invite/template`, template: plan.invite.template });
    (plan.invite.reminders ?? []).forEach(
      (r, i) => r.template && sites.push({ pointer: `${at}/invite/reminders/${i}/template`, template: r.template }),
    );
    (plan.invite.variants ?? []).forEach((v, i) => sites.push({ pointer: `${at}/invite/variants/${i}/template`, template: v.template }));
    if (plan.reward?.thankYou) sites.push({ pointer: `${at}/reward/thankYou`, template: plan.reward.thankYou });
  }
  return sites;
}

export function isLocal(template: Template): template is LocalTemplate {
  return 'file' in template;
}

export function checkTemplates(def: AdvocacyJourneyDefinition, available: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  for (const { pointer, template } of templateSites(def)) {
    if (!isLocal(template)) continue;
    const text = available[template.file];
    if (text === undefined) {
      const near = closest(template.file, Object.keys(available));
      problems.push({
        pointer: `${pointer}/file`,
        message: `the template file \`${template.file}\` does not exist`,
        expected: 'a .mustache file under definitions/templates/',
        suggestion: near ? `did you mean \`${near}\`?` : undefined,
        code: 'template.missing',
      });
    } else {
      const error = mustacheError(text);
      if (error)
        problems.push({
          pointer: `${pointer}/file`,
          message: `the template \`${template.file}\` does not parse: ${error}`,
          code: 'template.syntax',
        });
    }
    const subjectError = mustacheError(template.subject);
    if (subjectError)
      problems.push({ pointer: `${pointer}/subject`, message: `the subject does not parse: ${subjectError}`, code: 'template.syntax' });
  }
  return problems;
}

function mustacheError(text: string): string | undefined {
  try {
    Mustache.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
