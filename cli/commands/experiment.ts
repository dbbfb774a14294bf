// `journey experiment plan`: the sample size per arm and the expected duration of an experiment, before launch.
import type { Command } from 'commander';
import { planExperiment, PlanInputError, renderPlan, type PlanInput } from '../../reports/experiments/plan.ts';
import { loadCatalog } from '../../definitions/loader.ts';
import { declaredExperiments } from '../../reports/experiments/declared.ts';
import { runExperimentReport } from '../../reports/experiments/report.ts';
import { renderExperimentTable } from '../../reports/experiments/render.ts';

interface PlanOptions {
  baseline: string;
  lift?: string;
  difference?: string;
  weekly: string;
  weights: string;
  holdout: string;
  alpha: string;
  power: string;
  json?: boolean;
}

/** "5%" → 0.05, "0.05" → 0.05; anything else is NaN (the plan names the field). */
function rate(text: string): number {
  const t = text.trim();
  if (t.endsWith('%')) return Number(t.slice(0, -1)) / 100;
  return t === '' ? NaN : Number(t);
}

export function register(program: Command): void {
  const experiment = program.command('experiment').description('Plan experiments with control groups');
  experiment
    .command('plan')
    .description('Customers needed per arm and in control, and the weeks that takes, to detect a lift on the primary metric')
    .requiredOption('--baseline <rate>', "control's expected rate on the primary metric, e.g. 0.05 or 5%")
    .option('--lift <relative>', 'smallest relative lift worth detecting, e.g. 20% (of the baseline)')
    .option('--difference <absolute>', 'or the smallest absolute difference, e.g. 1% (percentage points)')
    .requiredOption('--weekly <customers>', 'customers reaching the ask point per week, arms and control together')
    .option('--weights <shares>', "the arms' shares, comma-separated", '0.45,0.45')
    .option('--holdout <share>', "control's share (never asked)", '0.1')
    .option('--alpha <alpha>', 'two-sided significance level per comparison', '0.05')
    .option('--power <power>', 'chance of detecting the lift when it is there', '0.8')
    .option('--json', 'print JSON')
    .action((opts: PlanOptions) => {
      const fail = (message: string) => {
        process.stderr.write(`journey experiment plan: ${message}\n`);
        process.exitCode = 2;
      };
      if ((opts.lift === undefined) === (opts.difference === undefined)) return fail('give exactly one of --lift and --difference');
      const input: PlanInput = {
        baseline: rate(opts.baseline),
        lift: opts.lift !== undefined ? { relative: rate(opts.lift) } : { absolute: rate(opts.difference!) },
        weeklyVolume: Number(opts.weekly),
        weights: opts.weights.split(',').map(rate),
        holdout: rate(opts.holdout),
        alpha: rate(opts.alpha),
        power: rate(opts.power),
      };
      try {
        const plan = planExperiment(input);
        process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
      } catch (err) {
        if (err instanceof PlanInputError) return fail(`--${err.message}`);
        throw err;
      }
    });
  experiment
    .command('report')
    .argument('<id>', 'the experiment id (definition `experiment.id`)')
    .description("An experiment's arms and control side by side over the tracking logs, with each arm's lift over control (95 % interval)")
    .option('--data <dir>', 'data folder', process.env.JOURNEY_DATA_DIR || 'data')
    .option('--journeys <dir>', 'journey definitions folder (default definitions/journeys)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { data: string; journeys?: string; json?: boolean }) => {
      const scopes = await declaredExperiments(opts.journeys);
      const scope = scopes.find((s) => s.experiment.id === id);
      if (!scope) {
        const known = scopes.map((s) => s.experiment.id);
        process.stderr.write(
          `journey experiment report: no journey declares the experiment ${JSON.stringify(id)}${known.length ? ` (declared: ${known.join(', ')})` : ''}\n`,
        );
        process.exitCode = 2;
        return;
      }
      const report = await runExperimentReport(opts.data, scope, loadCatalog().kpis ?? []);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderExperimentTable(report)}\n`);
    });
}
