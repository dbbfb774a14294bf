// Compiling KPI definitions like journeys: after the schema check (definitions/kpi-definitions.ts), each formula
// is bound by DuckDB against the `tracking` view, so an unknown column, a typo'd function, a syntax error, a
// non-aggregate or a non-numeric result is an error at the formula's file:line:column, before any report runs.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Diagnostic } from '../../definitions/diagnostics.ts';
import { loadKpiFiles, type KpiDefinition, type LoadedKpi } from '../../definitions/kpi-definitions.ts';
import { offsetPosition } from '../../definitions/compiler/positions.ts';
import { closest } from '../../definitions/compiler/suggest.ts';
import { TRACKING_COLUMNS, trackingViewSql } from './tracking-view.ts';

export class KpiDefinitionError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(
      `invalid KPI definitions:\n${diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.pointer || '(document)'}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`).join('\n')}`,
    );
    this.name = 'KpiDefinitionError';
  }
}

/** Offset in the JSON source of the formula's character `index`, stepping over escapes (\" \\ \n \uXXXX). */
function sourceOffset(source: string, start: number, index: number): number {
  let at = start;
  for (let i = 0; i < index && at < source.length; i++) at += source[at] === '\\' ? (source[at + 1] === 'u' ? 6 : 2) : 1;
  return at;
}

/** Where in the formula DuckDB's message points: the quoted name it complains about, else the start. */
function offendingIndex(formula: string, message: string): { index: number; name?: string } {
  const quoted = /(?:column|function|at or near|Table Function with name|Table with name)\s+"?([^"\s!]+)"?/i.exec(message);
  const name = quoted?.[1];
  if (name) {
    const i = formula.toLowerCase().indexOf(name.toLowerCase());
    if (i >= 0) return { index: i, name };
  }
  return { index: 0, name };
}

function formulaProblem(loaded: LoadedKpi, message: string, code: string, extra: Partial<Diagnostic> = {}, index = 0): Diagnostic {
  const offset = sourceOffset(loaded.source, loaded.formulaOffset, index);
  return {
    ...loaded.at('/formula', message, code),
    ...offsetPosition(loaded.source, offset),
    ...extra,
  };
}

/** The problem DuckDB finds binding one formula against the view, or undefined when it is a numeric aggregate. */
async function checkFormula(conn: DuckDBConnection, loaded: LoadedKpi): Promise<Diagnostic | undefined> {
  const { formula } = loaded.kpi;
  if (/;/.test(formula.replace(/'[^']*'/g, '')))
    return formulaProblem(loaded, 'a formula is one SQL expression: no `;`', 'kpi.formula.statement', {}, formula.indexOf(';'));
  try {
    // Grouped like a report, so a formula that is not an aggregate (a bare column) is refused by the binder too.
    const prepared = await conn.prepare(`SELECT journey_id, (\n${formula}\n) AS value FROM tracking GROUP BY journey_id`);
    const type = prepared.columnType(1).toString();
    if (!/INT|DOUBLE|FLOAT|DECIMAL|REAL/i.test(type))
      return formulaProblem(loaded, `the formula gives ${type}, not a number`, 'kpi.formula.type', { expected: 'a numeric aggregate' });
    return undefined;
  } catch (err) {
    const full = (err as Error).message;
    const message = full.split('\n')[0];
    const { index, name } = offendingIndex(formula, message);
    const column = /Referenced column "([^"]+)" not found/.exec(message)?.[1];
    const candidates = /Candidate bindings: ([^\n]+)/.exec(full)?.[1];
    const near = column ? closest(column, Object.keys(TRACKING_COLUMNS)) : undefined;
    const suggestion = near ? `did you mean \`${near}\`?` : candidates ? `columns near it: ${candidates.trim()}` : undefined;
    const kind = /Binder Error/.test(message)
      ? 'binder'
      : /Parser Error/.test(message)
        ? 'syntax'
        : /Catalog Error/.test(message)
          ? 'catalog'
          : 'sql';
    const wording = column
      ? `unknown column \`${column}\`: the tracking view has no such column`
      : message.replace(/^(Binder|Parser|Catalog|Conversion) Error: /, '');
    return formulaProblem(
      loaded,
      wording,
      `kpi.formula.${kind}`,
      {
        expected: column ? 'a column of the tracking view (docs/kpis.md)' : 'one SQL aggregate expression over the tracking view',
        ...(suggestion ? { suggestion } : {}),
      },
      column || name ? index : 0,
    );
  }
}

/** Binds every formula against an empty `tracking` view; returns the problems (all of them). */
export async function checkKpiFormulas(kpis: LoadedKpi[], conn?: DuckDBConnection): Promise<Diagnostic[]> {
  const own = conn ? undefined : await DuckDBInstance.create(':memory:');
  const c = conn ?? (await own!.connect());
  try {
    await c.run(trackingViewSql([]));
    const problems: Diagnostic[] = [];
    for (const k of kpis) {
      const problem = await checkFormula(c, k);
      if (problem) problems.push(problem);
    }
    return problems;
  } finally {
    if (!conn) {
      c.closeSync();
      own!.closeSync();
    }
  }
}

/** Loads, schema-checks and binds the KPI files of a folder; throws KpiDefinitionError with every problem. */
export async function compileKpis(dir?: string): Promise<KpiDefinition[]> {
  const { kpis, diagnostics } = await loadKpiFiles(dir);
  diagnostics.push(...(await checkKpiFormulas(kpis)));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new KpiDefinitionError(errors);
  return kpis.map((k) => k.kpi);
}
