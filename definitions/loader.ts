// The I/O edge of the language: read the catalog, journey files and local templates from disk, and hand them to
// the pure compiler. Only valid files yield plans; an invalid file never replaces anything.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from './compiler/catalog.ts';
import type { KpiFormula } from './experiments/metric.ts';
import { compileJourney, type CompileResult } from './compiler/index.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { CompiledPlan } from './plan.ts';
import { CONTACT_POLICY_FILE, loadContactPolicyFromEnv } from './contact-policy.ts';

export const DEFINITIONS_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(DEFINITIONS_DIR, '..');
export const JOURNEYS_DIR = join(DEFINITIONS_DIR, 'journeys');
export const TEMPLATES_DIR = join(DEFINITIONS_DIR, 'templates');

export type { Catalog } from './compiler/catalog.ts';

let cachedCatalog: Catalog | undefined;

/** The event catalog, traits and history schemas from definitions/catalog/ (read once per process). */
export function loadCatalog(): Catalog {
  if (cachedCatalog) return cachedCatalog;
  const read = (name: string) => JSON.parse(readFileSync(join(DEFINITIONS_DIR, 'catalog', name), 'utf8'));
  cachedCatalog = {
    events: read('events.json').events,
    traits: read('traits.schema.json'),
    history: read('history.schema.json'),
    kpis: readKpiFormulas(),
  };
  return cachedCatalog;
}

/** The declared KPIs' ids, units and formulas (their own checks are the KPI loader's: definitions/kpi-definitions.ts). */
function readKpiFormulas(): KpiFormula[] {
  const dir = join(DEFINITIONS_DIR, 'kpis');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      try {
        const { id, unit, formula } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as KpiFormula;
        return typeof id === 'string' && typeof formula === 'string' ? [{ id, unit, formula }] : [];
      } catch {
        return []; // a broken KPI file is the KPI loader's error to report
      }
    });
}

/** Every local template under definitions/templates/, keyed by its path relative to definitions/. */
export function loadTemplates(dir: string = TEMPLATES_DIR): Record<string, string> {
  const templates: Record<string, string> = {};
  const walk = (folder: string) => {
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return; // no templates folder: every local template named is then reported missing
    }
    for (const name of entries.sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.mustache')) templates[relative(dirname(dir), path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return templates;
}

/** A path as diagnostics show it: relative to the project root when inside it. */
export function displayPath(path: string): string {
  const absolute = resolve(path);
  const rel = relative(REPO_ROOT, absolute);
  return rel.startsWith('..') ? absolute : rel;
}

export interface LoadOptions {
  catalog?: Catalog;
  templates?: Record<string, string>;
  /** The global contact policy's quiet hours; default: those of the policy the worker and API load (if it loads). */
  globalQuietHours?: { start: string; end: string; file: string } | null;
}

/** The quiet hours of the contact policy in force (JOURNEY_CONTACT_POLICY, else the shipped file); a policy that does
 *  not load is reported by its own loader, so here it only means there is nothing to check against. */
export function globalQuietHours(): LoadOptions['globalQuietHours'] {
  try {
    const quiet = loadContactPolicyFromEnv().quietHours;
    return quiet ? { ...quiet, file: displayPath(process.env.JOURNEY_CONTACT_POLICY || CONTACT_POLICY_FILE) } : null;
  } catch {
    return null;
  }
}

/** Compile one journey file. Unreadable files are diagnostics too, never exceptions. */
export async function loadJourneyFile(path: string, options: LoadOptions = {}): Promise<CompileResult> {
  const file = displayPath(path);
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    return {
      diagnostics: [
        {
          file,
          line: 1,
          column: 1,
          pointer: '',
          message: `cannot read the file: ${(error as Error).message}`,
          severity: 'error',
          code: 'io.read',
        },
      ],
    };
  }
  const quiet = options.globalQuietHours === undefined ? globalQuietHours() : options.globalQuietHours;
  return compileJourney(
    { file, source, templates: options.templates ?? loadTemplates(), ...(quiet ? { globalQuietHours: quiet } : {}) },
    options.catalog ?? loadCatalog(),
  );
}

/** Compile every *.json journey in a folder (default definitions/journeys), in file-name order. */
export async function loadJourneyDir(
  dir: string = JOURNEYS_DIR,
  options: LoadOptions = {},
): Promise<{ plans: CompiledPlan[]; diagnostics: Diagnostic[] }> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return loadJourneyFiles(
    files.map((f) => join(dir, f)),
    options,
  );
}

export interface FileResult {
  file: string;
  plan?: CompiledPlan;
  diagnostics: Diagnostic[];
}

/** Compile several files; `files` keeps the result of each (for per-file reports), `plans` only the valid ones. */
export async function loadJourneyFiles(
  paths: string[],
  options: LoadOptions = {},
): Promise<{ plans: CompiledPlan[]; diagnostics: Diagnostic[]; files: FileResult[] }> {
  const shared = {
    catalog: options.catalog ?? loadCatalog(),
    templates: options.templates ?? loadTemplates(),
    globalQuietHours: options.globalQuietHours === undefined ? globalQuietHours() : options.globalQuietHours,
  };
  const results = await Promise.all(paths.map((p) => loadJourneyFile(p, shared)));
  const plans = results.flatMap((r) => (r.plan ? [r.plan] : []));
  const diagnostics = results.flatMap((r) => r.diagnostics);
  // Two files claiming one journey id would fight over the same workflow ids.
  const byId = new Map<string, number>();
  results.forEach((r, i) => {
    if (!r.plan) return;
    const first = byId.get(r.plan.journeyId);
    if (first === undefined) byId.set(r.plan.journeyId, i);
    else {
      const duplicate: Diagnostic = {
        file: displayPath(paths[i]),
        line: 1,
        column: 1,
        pointer: '/id',
        message: `journey id \`${r.plan.journeyId}\` is also used by ${displayPath(paths[first])}`,
        severity: 'error',
        code: 'ids.duplicateJourney',
      };
      diagnostics.push(duplicate);
      r.diagnostics.push(duplicate);
    }
  });
  const files = results.map((r, i) => ({ file: displayPath(paths[i]), plan: r.plan, diagnostics: r.diagnostics }));
  return { plans, diagnostics, files };
}
