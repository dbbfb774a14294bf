// The statistics of an experiment's report and of its plan, in one place and stated in the output:
// - a rate's lift over control: the difference of two proportions with Newcombe's hybrid score interval (method 10
//   of Newcombe 1998), which keeps its coverage at small counts and rates near 0 where the Wald interval does not;
// - revenue per customer: a percentile bootstrap of the difference of means, seeded so a report reads the same twice;
// - the plan: the sample size per arm for a two-sided two-proportion z-test (pooled variance under H0).
// Pure functions, no I/O: the KPI report and `journey experiment plan` both call them.

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must lie in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

export interface Interval {
  low: number;
  high: number;
}

/** Wilson's score interval for one proportion x/n. */
export function wilson(x: number, n: number, z: number): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = x / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const denominator = 1 + (z * z) / n;
  return { low: Math.max(0, (centre - spread) / denominator), high: Math.min(1, (centre + spread) / denominator) };
}

export interface RateLift {
  /** The arm's rate and control's rate. */
  rate: number;
  controlRate: number;
  /** rate − controlRate, in proportion units (0.02 = 2 percentage points). */
  difference: number;
  /** The 1−alpha interval of the difference (Newcombe's hybrid score interval). */
  interval: Interval;
  /** difference / controlRate; undefined when control's rate is 0. */
  relativeLift?: number;
  /** Why no result can be called yet, when the sample is too small; undefined when it can. */
  tooSmall?: string;
  /** The interval lies wholly above or below 0 (and the sample is large enough to call). */
  significant: boolean;
}

/** The smallest count of successes and of failures in each group for the interval's coverage to hold (np ≥ 5). */
export const MIN_EVENTS_PER_GROUP = 5;

/** The lift of an arm's rate x/n over control's xc/nc, with its 1−alpha interval. */
export function rateLift(x: number, n: number, xc: number, nc: number, alpha = 0.05): RateLift {
  for (const [name, value] of Object.entries({ x, n, xc, nc }))
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`rateLift: ${name} must be a whole number ≥ 0, got ${value}`);
  if (x > n || xc > nc) throw new RangeError('rateLift: successes cannot exceed the sample size');
  const z = normalQuantile(1 - alpha / 2);
  const p1 = n ? x / n : 0;
  const p2 = nc ? xc / nc : 0;
  const [l1, l2] = [wilson(x, n, z), wilson(xc, nc, z)];
  const difference = p1 - p2;
  const interval = {
    low: difference - Math.sqrt((p1 - l1.low) ** 2 + (l2.high - p2) ** 2),
    high: difference + Math.sqrt((l1.high - p1) ** 2 + (p2 - l2.low) ** 2),
  };
  const tooSmall = smallSample([x, n], [xc, nc]);
  return {
    rate: p1,
    controlRate: p2,
    difference,
    interval,
    ...(p2 > 0 ? { relativeLift: difference / p2 } : {}),
    ...(tooSmall ? { tooSmall } : {}),
    significant: !tooSmall && (interval.low > 0 || interval.high < 0),
  };
}

function smallSample(...groups: Array<[number, number]>): string | undefined {
  const [[x, n], [xc, nc]] = groups;
  if (n === 0 || nc === 0) return `no customers yet in ${n === 0 ? 'the arm' : 'control'}`;
  const fewest = Math.min(x, n - x, xc, nc - xc);
  if (fewest < MIN_EVENTS_PER_GROUP)
    return `too small to call: each group needs at least ${MIN_EVENTS_PER_GROUP} customers with and without the outcome (fewest: ${fewest})`;
  return undefined;
}

/** A small seeded generator (mulberry32), so a bootstrap gives the same interval for the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MeanLift {
  mean: number;
  controlMean: number;
  difference: number;
  /** Percentile bootstrap interval of the difference of means. */
  interval: Interval;
  resamples: number;
  tooSmall?: string;
  significant: boolean;
}

/** The smallest group for a bootstrap of means to say anything. */
export const MIN_BOOTSTRAP_GROUP = 20;

/** The lift of an arm's mean (e.g. referred revenue per customer, zeros included) over control's, bootstrapped. */
export function meanLift(values: number[], control: number[], opts: { alpha?: number; resamples?: number; seed?: number } = {}): MeanLift {
  const alpha = opts.alpha ?? 0.05;
  const resamples = opts.resamples ?? 2000;
  const random = seededRandom(opts.seed ?? 1);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0);
  const resampleMean = (xs: number[]) => {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[Math.floor(random() * xs.length)];
    return sum / xs.length;
  };
  const differences: number[] = [];
  if (values.length && control.length) for (let i = 0; i < resamples; i++) differences.push(resampleMean(values) - resampleMean(control));
  differences.sort((a, b) => a - b);
  const at = (q: number) => differences[Math.min(differences.length - 1, Math.max(0, Math.floor(q * differences.length)))] ?? 0;
  const interval = { low: at(alpha / 2), high: at(1 - alpha / 2) };
  const fewest = Math.min(values.length, control.length);
  const tooSmall =
    fewest < MIN_BOOTSTRAP_GROUP
      ? `too small to call: each group needs at least ${MIN_BOOTSTRAP_GROUP} customers (fewest: ${fewest})`
      : undefined;
  return {
    mean: mean(values),
    controlMean: mean(control),
    difference: mean(values) - mean(control),
    interval,
    resamples,
    ...(tooSmall ? { tooSmall } : {}),
    significant: !tooSmall && (interval.low > 0 || interval.high < 0),
  };
}

/** Customers per group for a two-sided two-proportion z-test to detect p1 − p0 at the given alpha and power. */
export function sampleSizePerGroup(p0: number, p1: number, alpha = 0.05, power = 0.8): number {
  if (!(p0 > 0 && p0 < 1) || !(p1 > 0 && p1 < 1)) throw new RangeError('sampleSizePerGroup: both rates must lie in (0, 1)');
  if (p0 === p1) throw new RangeError('sampleSizePerGroup: the rates must differ');
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const pooled = (p0 + p1) / 2;
  const n = (za * Math.sqrt(2 * pooled * (1 - pooled)) + zb * Math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))) ** 2 / (p1 - p0) ** 2;
  return Math.ceil(n);
}
