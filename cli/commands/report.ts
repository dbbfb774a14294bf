// `journey report`: the declared KPIs (definitions/kpis/) over the tracking logs (<data>/tracking/*.ndjson), per
// journey and version or any other breakdown, as a table, JSON, CSV or a self-contained HTML page.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { compileKpis, KpiDefinitionError } from '../../reports/engine/kpi-compile.ts';
import { runKpiReport, type KpiQuery } from '../../reports/engine/kpi-engine.ts';
import { parseKpiQuery, type RawKpiQuery } from '../../reports/kpi-query.ts';
import { renderKpiCsv, renderKpiTable } from '../../reports/kpi-text.ts';
import { renderKpiHtml } from '../../reports/kpi-html.ts';
import { reportDeclaredExperiments } from '../../reports/experiments/declared.ts';
import { renderExperimentTable } from '../../reports/experiments/render.ts';

interface ReportOptions extends RawKpiQuery {
  journey?: string;
  data: string;
  kpis?: string;
  json?: boolean;
  csv?: boolean;
  html?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('KPIs from the tracking logs (<data>/tracking/*.ndjson), per journey and version or --by any dimension')
    .option('--from <date>', 'start of the period (inclusive, by the fact time of each record)')
    .option('--to <date>', 'end of the period (exclusive)')
    .option('--journey <id>', 'only this journey')
    .option('--version <n>', 'only this journey version')
    .option('--motion <motion>', 'only this motion')
    .option('--segment <segment>', 'only customers of this segment (their last known traits.segment)')
    .option('--variant <variant>', 'only customers asked with this invite variant')
    .option('--cohort <monday>', 'only customers whose first ask fell in the week starting this Monday (YYYY-MM-DD)')
    .option(
      '--by <dims>',
      'break down by: journey, version, motion, segment, variant, day, week, month, cohort (comma-separated)',
      'journey,version',
    )
    .option('--kpi <ids>', 'only these KPIs (comma-separated ids)')
    .option('--kpis <dir>', 'KPI definitions folder (default definitions/kpis)')
    .option('--data <dir>', 'data folder', process.env.JOURNEY_DATA_DIR || 'data')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV (one row per group and KPI)')
    .option('--html <file>', 'write a self-contained HTML page (funnels, weekly trends, KPI table) to FILE')
    .action(async (opts: ReportOptions) => {
      const fail = (message: string) => {
        process.stderr.write(`journey report: ${message}\n`);
        process.exitCode = 2;
      };
      if ([opts.json, opts.csv].filter(Boolean).length > 1) return fail('choose one of --json and --csv');
      let definitions;
      try {
        definitions = await compileKpis(opts.kpis);
      } catch (err) {
        if (err instanceof KpiDefinitionError) return fail(err.message);
        throw err;
      }
      const { query, problems } = parseKpiQuery(
        { ...opts, journeyId: opts.journey },
        definitions.map((k) => k.id),
      );
      if (!query) return fail(problems.map((p) => `--${p.field === 'journeyId' ? 'journey' : p.field} ${p.message}`).join('; '));
      const run = (q: KpiQuery) => runKpiReport(opts.data, q, { definitions });
      if (opts.html) {
        const { by: _by, ...filters } = query;
        const [table, byJourney, byWeek] = [
          await run(query),
          await run({ ...filters, by: ['journey'] }),
          await run({ ...filters, by: ['week'] }),
        ];
        const experiments = await reportDeclaredExperiments(opts.data);
        await writeFile(opts.html, await renderKpiHtml({ table, byJourney, byWeek, experiments, generatedAt: new Date().toISOString() }));
        process.stdout.write(`wrote ${opts.html} (${table.kpis.length} KPIs, ${byJourney.groups.length} journey funnel(s))\n`);
        return;
      }
      const report = await run(query);
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (opts.csv) process.stdout.write(renderKpiCsv(report));
      else {
        process.stdout.write(`${renderKpiTable(report)}\n`);
        // Each declared experiment with customers in scope, its arms and control side by side (docs/experiments.md).
        const experiments = (await reportDeclaredExperiments(opts.data)).filter(
          (x) => (!opts.journey || x.experiment.journeyId === opts.journey) && x.arms.some((a) => a.customers > 0),
        );
        for (const x of experiments) process.stdout.write(`\n${renderExperimentTable(x)}\n`);
      }
    });
}
