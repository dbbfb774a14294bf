// `journey report [--from --to --journey] [--json]`: the KPI report from the tracking log, per journey and version.
import type { Command } from 'commander';
import { kpiReportFromLog } from '../../reports/from-log.ts';
import { renderKpiTable } from '../../reports/table.ts';

function isoOrFail(label: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--${label} must be a date or ISO time (e.g. 2026-01-01), got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

export function register(program: Command): void {
  program
    .command('report')
    .description('KPIs per journey and version over a period, from the tracking log (<data>/tracking/*.ndjson)')
    .option('--from <date>', 'start of the period (inclusive)')
    .option('--to <date>', 'end of the period (exclusive)')
    .option('--journey <id>', 'only this journey')
    .option('--data <dir>', 'data folder', process.env.JOURNEY_DATA_DIR || 'data')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { from?: string; to?: string; journey?: string; data: string; json?: boolean }) => {
      let from: string | undefined;
      let to: string | undefined;
      try {
        from = isoOrFail('from', opts.from);
        to = isoOrFail('to', opts.to);
      } catch (err) {
        process.stderr.write(`journey report: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const report = await kpiReportFromLog(opts.data, { journeyId: opts.journey, from, to });
      if (opts.json) process.stdout.write(`${JSON.stringify({ period: report.period, journeys: report.journeys }, null, 2)}\n`);
      else process.stdout.write(`${renderKpiTable(report.journeys)}\n`);
      const bad = report.skippedLines;
      if (bad.length)
        process.stderr.write(
          `journey report: skipped ${bad.length} unreadable line(s) of the tracking log: ${bad.slice(0, 10).join(', ')}\n`,
        );
    });
}
