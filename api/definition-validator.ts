// POST /v1/definitions/validate: the compiler's diagnostics for one posted definition, exactly as the CLI gives them.
import { compileJourney } from '../definitions/compiler/index.ts';
import { globalQuietHours, loadCatalog, loadTemplates } from '../definitions/loader.ts';
import type { Diagnostic } from '../definitions/diagnostics.ts';

/** Lines and columns refer to the posted JSON pretty-printed with 2 spaces; the pointers are exact. */
export function validateDefinitionBody(body: unknown): Diagnostic[] {
  // The global contact policy's quiet hours too, as the CLI checks them: they can keep a send window shut.
  const quiet = globalQuietHours();
  const source = JSON.stringify(body, null, 2);
  return compileJourney(
    { file: '<request body>', source, templates: loadTemplates(), ...(quiet ? { globalQuietHours: quiet } : {}) },
    loadCatalog(),
  ).diagnostics;
}
