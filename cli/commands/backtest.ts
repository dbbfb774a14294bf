// `journey backtest <definition...> --events FILE`: what these journeys would have done over a recorded history,
// replayed through the real engine on the time-skipping server (cli/replay/), per customer and in total, with a
// forecast of the next period.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { runBacktest } from '../replay/backtest.ts';
import { renderBacktestHtml } from '../replay/html.ts';
import { loadCustomerDefaults, loadHistory, loadPlan, positiveInteger, withInputErrors } from '../replay/load-inputs.ts';
import { progressBar } from '../replay/progress.ts';
import { renderBacktest } from '../replay/render.ts';
import { testServerPath } from '../replay/test-server-path.ts';

export interface ReplayCommandOptions {
  events: string;
  from?: string;
  to?: string;
  customers?: string;
  customer?: string[];
  shards?: string;
  out?: string;
  json?: boolean;
  html?: string;
  all?: boolean;
}

export function replayOptions(command: Command): Command {
  return command
    .requiredOption('--events <file>', "NDJSON, one event a line in the API's format (an export, or the API's event log)")
    .option('--from <date>', 'replay events that occurred at or after this date (default: the first event)')
    .option('--to <date>', 'replay events that occurred before this date, and run the clock to it (default: the last event)')
    .option('--customers <n>', 'only the first N customers of the file')
    .option('--customer <id>', 'only this customer (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--shards <n>', 'time-skipping servers the customers are split over (default 1)')
    .option('--json', 'print the outcome as JSON')
    .option('--html <file>', 'also write an HTML page with the weekly chart and the tables');
}

export function register(program: Command): void {
  replayOptions(
    program
      .command('backtest <definitions...>')
      .description('replay a recorded event history through the real engine: asks, suppressions, rewards, referrals, and a forecast'),
  )
    .option('--out <dir>', 'keep the scratch data folder (outbox, tracking log) here; default: a temporary folder, removed at the end')
    .option('--all', 'list customers with nothing to report too')
    .action((definitions: string[], options: ReplayCommandOptions) =>
      withInputErrors(async () => {
        const plans = [];
        for (const file of definitions) plans.push(await loadPlan(file));
        const history = loadHistory(options.events, {
          from: options.from,
          to: options.to,
          customers: positiveInteger('customers', options.customers),
          customerIds: options.customer,
        });
        const customerDefaults = loadCustomerDefaults();
        const bar = progressBar('backtest');
        const started = Date.now();
        const run = await runBacktest(plans, history, {
          testServerPath: testServerPath(),
          customerDefaults,
          shards: positiveInteger('shards', options.shards),
          outDir: options.out,
          onProgress: (f) => bar.update(f),
          log: (l) => process.stderr.write(`… ${l}\n`),
        });
        bar.done();
        const header = [
          `backtest of ${plans.map((p) => `${p.journeyId} v${p.version}`).join(', ')} over ${options.events}: ${history.events} events, ${history.byCustomer.size} customers${history.duplicates ? ` (${history.duplicates} repeated lines taken once)` : ''}`,
          `replayed ${Math.round(run.shiftMs / 86_400_000 / 7)} weeks later on the time-skipping server (weekdays and times of day kept); every time below is the history's own, in the customer's zone`,
        ];
        if (options.html) writeFileSync(options.html, await renderBacktestHtml(run.outcome, header));
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ ...run.outcome, shiftDays: run.shiftMs / 86_400_000 }, null, 2)}\n`
            : `${renderBacktest(run.outcome, { header, zoneOf: run.zoneOf, showQuietCustomers: options.all })}\n`,
        );
        process.stderr.write(
          `backtest took ${((Date.now() - started) / 1000).toFixed(1)} s${options.out ? `; outbox and tracking log kept in ${options.out}` : ''}\n`,
        );
      }),
    );
}
