// Broken KPI files are refused like broken journeys: every problem, each with file:line:column and a JSON pointer,
// including what only DuckDB's binder can tell (an unknown column of the tracking view, a bad function, a formula
// that is not an aggregate or not a number).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileKpis, KpiDefinitionError } from '../reports/engine/kpi-compile.ts';
import type { Diagnostic } from '../definitions/diagnostics.ts';

const good = {
  id: 'kpi-x',
  name: 'A KPI',
  description: 'Something worth measuring.',
  unit: 'count',
  formula: "count(*) FILTER (WHERE type = 'ask.sent')",
  needs: ['ask.sent'],
  seed: { file: '002', metric: 'Warm Introduction Offer Rate' },
};

async function problemsOf(files: Record<string, unknown>): Promise<Diagnostic[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kpis-broken-'));
  for (const [name, doc] of Object.entries(files))
    writeFileSync(join(dir, name), typeof doc === 'string' ? doc : `${JSON.stringify(doc, null, 2)}\n`);
  try {
    await compileKpis(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(KpiDefinitionError);
    return (err as KpiDefinitionError).diagnostics;
  }
  return [];
}

describe('broken KPI files are refused with pointers', () => {
  it('an unknown column: the formula line and the column of the name, with the nearest column', async () => {
    const [d] = await problemsOf({ 'kpi-x.json': { ...good, formula: "count(*) FILTER (WHERE tpye = 'ask.sent')" } });
    // JSON.stringify(…, 2): line 6 is `  "formula": "count(*) FILTER (WHERE tpye …"`; `tpye` starts at column 38.
    expect(d).toMatchObject({
      file: expect.stringContaining('kpi-x.json'),
      line: 6,
      column: 38,
      pointer: '/formula',
      code: 'kpi.formula.binder',
    });
    expect(d.message).toBe('unknown column `tpye`: the tracking view has no such column');
    expect(d.suggestion).toBe('did you mean `type`?');
  });

  it('a syntax error, an unknown function, a bare column and a text result', async () => {
    const ds = await problemsOf({
      'kpi-a.json': { ...good, id: 'kpi-a', formula: 'count(* FILTER' },
      'kpi-b.json': { ...good, id: 'kpi-b', formula: 'cuont(*)' },
      'kpi-c.json': { ...good, id: 'kpi-c', formula: 'amount' },
      'kpi-d.json': { ...good, id: 'kpi-d', formula: "string_agg(type, ',')" },
      'kpi-e.json': { ...good, id: 'kpi-e', formula: 'count(*); DROP VIEW tracking' },
    });
    expect(ds.map((d) => [d.file.split('/').pop(), d.pointer, d.code])).toEqual([
      ['kpi-a.json', '/formula', 'kpi.formula.syntax'],
      ['kpi-b.json', '/formula', 'kpi.formula.catalog'],
      ['kpi-c.json', '/formula', 'kpi.formula.binder'],
      ['kpi-d.json', '/formula', 'kpi.formula.type'],
      ['kpi-e.json', '/formula', 'kpi.formula.statement'],
    ]);
    expect(ds[1].message).toMatch(/cuont/);
    expect(ds[2].message).toMatch(/GROUP BY|aggregate/);
    for (const d of ds) expect(d.line).toBe(6);
  });

  it('schema problems, an unknown record type, a file named after another id, a duplicate id, bad JSON: all at once', async () => {
    const ds = await problemsOf({
      'kpi-a.json': { ...good, id: 'kpi-a', unit: 'percent', colour: 'red' },
      'kpi-b.json': { ...good, id: 'kpi-b', needs: ['ask.sen'] },
      'kpi-c.json': { ...good, id: 'kpi-other' },
      'kpi-d.json': '{ "id": "kpi-d", ',
    });
    const where = ds.map((d) => `${d.file.split('/').pop()} ${d.pointer} ${d.line}:${d.column}`);
    expect([...new Set(where)]).toEqual([
      'kpi-a.json /colour 14:13',
      'kpi-a.json /unit 5:11',
      'kpi-b.json /needs/0 8:5',
      'kpi-c.json /id 2:9',
      'kpi-d.json  1:18',
    ]);
    expect(ds.find((d) => d.pointer === '/needs/0')).toMatchObject({
      message: 'unknown tracking record type `ask.sen`',
      suggestion: 'did you mean `ask.sent`?',
    });
    expect(ds.find((d) => d.pointer === '/colour')?.message).toBe('unknown key `colour`');
  });

  it('the shipped definitions compile', async () => {
    expect((await compileKpis()).length).toBeGreaterThanOrEqual(40);
  });
});
