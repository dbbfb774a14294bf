// POST /v1/definitions/validate: the compiler's diagnostics for one posted definition, exactly as the CLI gives them.
import { compileJourney } from '../definitions/compiler/index.ts';
import { loadCatalog, loadTemplates } from '../definitions/loader.ts';
import type { Diagnostic } from '../definitions/diagnostics.ts';

/** Lines and columns refer to the posted JSON pretty-printed with 2 spaces; the pointers are exact. */
export function validateDefinitionBody(body: unknown): Diagnostic[] {
  return compileJourney({ file: '<request body>', source: JSON.stringify(body, null, 2), templates: loadTemplates() }, loadCatalog())
    .diagnostics;
}
