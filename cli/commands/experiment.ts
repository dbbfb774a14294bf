// `journey experiment plan`: the sample size per arm and the expected duration of an experiment, before launch.
import type { Command } from 'commander';
import { planExperiment, PlanInputError, renderPlan, type PlanInput } from '../../reports/experiments/plan.ts';

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
}
