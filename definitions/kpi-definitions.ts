// KPI definitions (definitions/kpis/<id>.json): each file is parsed keeping positions and checked against
// definitions/schema/kpi.schema.json, then its `needs` against the tracking record types someone writes
// (catalog/tracking-records.json). Errors are data with file, line, column and pointer, every one of them; the
// formula itself is checked against the `tracking` view by the report engine (reports/engine/kpi-compile.ts),
// because only DuckDB's binder knows the view's columns and functions.
import Ajv2020 from 'ajv/dist/2020.js';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import schema from './schema/kpi.schema.json' with { type: 'json' };
import records from './catalog/tracking-records.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { checkConfigSource, type PlaceProblem } from './config-file.ts';
import { parseWithPositions } from './compiler/positions.ts';
import { closest } from './compiler/suggest.ts';
import type { KpiDefinition } from './generated/kpi.ts';

export type { KpiDefinition } from './generated/kpi.ts';

export const KPIS_DIR = fileURLToPath(new URL('./kpis/', import.meta.url));
const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** A checked KPI file, with what the formula check needs to place its own problems. */
export interface LoadedKpi {
  kpi: KpiDefinition;
  file: string;
  source: string;
  /** Places a problem at a pointer of this file. */
  at: PlaceProblem;
  /** Offset in `source` of the formula string's first character (after its quote). */
  formulaOffset: number;
}

/** Record types a KPI may need, and for those nothing writes yet, what would. */
export const TRACKING_RECORD_TYPES: Record<string, { writtenBy: string | null; waitsFor?: string }> = records.records;

let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  validate ??= new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validate;
}

/** Checks one KPI document; `file` names it in diagnostics. `kpi` is set only when it has no error. */
export function checkKpiSource(source: string, file: string): { kpi?: LoadedKpi; diagnostics: Diagnostic[] } {
  const checked = checkConfigSource<KpiDefinition>(source, file, validator(), { skipKeywords: ['oneOf'] });
  const { value, at } = checked;
  if (!value) return { diagnostics: checked.diagnostics };
  const diagnostics: Diagnostic[] = [];
  const expectedName = `${value.id}.json`;
  if (basename(file) !== expectedName && !file.startsWith('<'))
    diagnostics.push(
      at(
        '/id',
        `the id \`${value.id}\` does not match the file name ${basename(file)}`,
        'kpi.fileName',
        `rename the file to ${expectedName}`,
      ),
    );
  const known = Object.keys(TRACKING_RECORD_TYPES);
  value.needs.forEach((need, i) => {
    const names = Array.isArray(need) ? need : [need];
    names.forEach((name, j) => {
      if (known.includes(name)) return;
      const near = closest(name, known);
      const pointer = Array.isArray(need) ? `/needs/${i}/${j}` : `/needs/${i}`;
      diagnostics.push({
        ...at(pointer, `unknown tracking record type \`${name}\``, 'kpi.unknownRecordType', near ? `did you mean \`${near}\`?` : undefined),
        expected: 'a type listed in definitions/catalog/tracking-records.json',
      });
    });
  });
  if (diagnostics.length > 0) return { diagnostics };
  const parsed = parseWithPositions(source);
  const formulaNode = parsed.root?.children?.find((p) => p.children?.[0]?.value === 'formula')?.children?.[1];
  const { $schema: _s, $comment: _c, ...kpi } = value as KpiDefinition & { $schema?: string; $comment?: string };
  return { kpi: { kpi, file, source, at, formulaOffset: (formulaNode?.offset ?? 0) + 1 }, diagnostics: [] };
}

function displayName(path: string): string {
  const rel = relative(REPO_ROOT, resolve(path));
  return rel.startsWith('..') ? resolve(path) : rel.split('\\').join('/');
}

/** Reads and checks every *.json under a folder (default: the shipped definitions/kpis/), sorted by file name. */
export async function loadKpiFiles(dir: string = KPIS_DIR): Promise<{ kpis: LoadedKpi[]; diagnostics: Diagnostic[] }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const kpis: LoadedKpi[] = [];
  const diagnostics: Diagnostic[] = [];
  const ids = new Map<string, string>();
  for (const name of names) {
    const file = displayName(join(dir, name));
    const checked = checkKpiSource(await readFile(join(dir, name), 'utf8'), file);
    diagnostics.push(...checked.diagnostics);
    if (!checked.kpi) continue;
    const other = ids.get(checked.kpi.kpi.id);
    if (other) {
      diagnostics.push(checked.kpi.at('/id', `KPI id \`${checked.kpi.kpi.id}\` is also defined in ${other}`, 'kpi.duplicateId'));
      continue;
    }
    ids.set(checked.kpi.kpi.id, file);
    kpis.push(checked.kpi);
  }
  return { kpis, diagnostics };
}
