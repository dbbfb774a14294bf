// Local Mustache templates: each one named must exist under definitions/templates/ and parse; subjects must parse.
import Mustache from 'mustache';
import type { AdvocacyJourneyDefinition } from '../generated/journey.ts';
import type { Problem } from './problem.ts';
import { closest } from './suggest.ts';
import { isLocal, templateSites } from './template-sites.ts';

export { isLocal, templateSites } from './template-sites.ts';

export function checkTemplates(def: AdvocacyJourneyDefinition, available: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const done = new Set<string>();
  for (const { pointer, template } of templateSites(def)) {
    if (!isLocal(template) || done.has(pointer)) continue;
    done.add(pointer);
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
