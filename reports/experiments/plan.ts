// Power before launch: how many customers each arm and the control group need, and how long that takes at the
// weekly volume the journey sees, for a two-sided two-proportion test of each arm against control.
import { sampleSizePerGroup } from './stats.ts';

export interface PlanInput {
  /** Control's expected rate on the primary metric, in (0, 1). */
  baseline: number;
  /** The smallest lift worth detecting: relative (0.2 = +20 % of baseline) or an absolute difference. */
  lift: { relative: number } | { absolute: number };
  /** Customers reaching the ask point per week, all arms and control together. */
  weeklyVolume: number;
  /** The arms' shares of that volume (each > 0). */
  weights: number[];
  /** Control's share: never asked. weights + holdout = 1. */
  holdout: number;
  alpha?: number;
  power?: number;
}

export interface Plan {
  baseline: number;
  target: number;
  alpha: number;
  power: number;
  /** Customers needed in each arm and in control (the same test on both sides). */
  perGroup: number;
  groups: Array<{ name: string; share: number; weeklyCustomers: number; weeks: number }>;
  /** Weeks until every group has its sample: the slowest group decides. */
  weeks: number;
  /** Weeks the same test would take with the volume split evenly over arms and control. */
  weeksAtEqualShares: number;
  method: string;
}

export class PlanInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function planExperiment(input: PlanInput): Plan {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const { baseline, weights, holdout, weeklyVolume } = input;
  if (!(baseline > 0 && baseline < 1)) throw new PlanInputError('baseline', `must lie between 0 and 1 (exclusive), got ${baseline}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new PlanInputError('alpha', `must lie between 0 and 0.5, got ${alpha}`);
  if (!(power > 0.5 && power < 1)) throw new PlanInputError('power', `must lie between 0.5 and 1, got ${power}`);
  if (!(weeklyVolume > 0)) throw new PlanInputError('weekly', `must be a positive number of customers, got ${weeklyVolume}`);
  if (weights.length === 0 || weights.some((w) => !(w > 0))) throw new PlanInputError('weights', 'each arm needs a share above 0');
  if (!(holdout > 0 && holdout < 1)) throw new PlanInputError('holdout', `control needs a share between 0 and 1, got ${holdout}`);
  const total = weights.reduce((s, w) => s + w, 0) + holdout;
  if (Math.abs(total - 1) > 1e-9)
    throw new PlanInputError('weights', `the arms' shares plus the holdout must add up to 1, got ${round(total, 6)}`);
  const target = 'relative' in input.lift ? baseline * (1 + input.lift.relative) : baseline + input.lift.absolute;
  if (!(target > 0 && target < 1) || target === baseline)
    throw new PlanInputError(
      'lift',
      `baseline ${baseline} with this lift gives ${round(target, 6)}: it must differ from baseline and lie in (0, 1)`,
    );
  const perGroup = sampleSizePerGroup(baseline, target, alpha, power);
  const shares = [...weights.map((w, i) => ({ name: `arm ${i + 1}`, share: w })), { name: 'control', share: holdout }];
  const groups = shares.map(({ name, share }) => ({
    name,
    share,
    weeklyCustomers: weeklyVolume * share,
    weeks: perGroup / (weeklyVolume * share),
  }));
  return {
    baseline,
    target,
    alpha,
    power,
    perGroup,
    groups,
    weeks: Math.max(...groups.map((g) => g.weeks)),
    weeksAtEqualShares: perGroup / (weeklyVolume / shares.length),
    method: `two-sided two-proportion z-test per arm against control, alpha ${alpha} per comparison, power ${power}`,
  };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** The plan as the terminal shows it. */
export function renderPlan(plan: Plan): string {
  const pct = (v: number) => `${round(v * 100, 2)} %`;
  const lines = [
    `Detect ${pct(plan.baseline)} → ${pct(plan.target)} on the primary metric (${plan.method}).`,
    `Customers needed: ${plan.perGroup.toLocaleString('en-US')} in each arm and in control.`,
    '',
    ...plan.groups.map(
      (g) =>
        `  ${g.name.padEnd(8)} share ${pct(g.share).padStart(8)}  ${round(g.weeklyCustomers, 1).toLocaleString('en-US').padStart(9)} per week  ` +
        `${round(g.weeks, 1)} weeks`,
    ),
    '',
    `Expected duration: ${Math.ceil(plan.weeks)} weeks (the slowest group decides).`,
  ];
  if (plan.weeksAtEqualShares < plan.weeks - 0.5)
    lines.push(`With equal shares for every arm and control it would take ${Math.ceil(plan.weeksAtEqualShares)} weeks.`);
  return `${lines.join('\n')}\n`;
}
