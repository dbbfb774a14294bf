// The statistics behind experiment results and plans: checked against a published example, against an independent
// computation, and by simulation (an interval must cover the true lift about as often as it claims).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { meanLift, normalQuantile, rateLift, sampleSizePerGroup, seededRandom } from '../reports/experiments/stats.ts';
import { planExperiment, PlanInputError } from '../reports/experiments/plan.ts';

describe('rate lift over control (Newcombe hybrid score interval)', () => {
  it("reproduces Newcombe 1998's worked example: 56/70 vs 48/80 → 0.2000 (0.0524, 0.3339)", () => {
    const lift = rateLift(56, 70, 48, 80);
    expect(lift.difference).toBeCloseTo(0.2, 10);
    expect(lift.interval.low).toBeCloseTo(0.0524, 4);
    expect(lift.interval.high).toBeCloseTo(0.3339, 4);
    expect(lift.relativeLift).toBeCloseTo(1 / 3, 10);
    expect(lift.significant).toBe(true);
  });

  it('covers the true difference about 95 % of the time (2,000 simulated experiments, n = 400 per group)', () => {
    const random = seededRandom(7);
    const draw = (p: number, n: number) => Array.from({ length: n }).filter(() => random() < p).length;
    const [p1, p0, n, runs] = [0.12, 0.08, 400, 2000];
    let covered = 0;
    for (let i = 0; i < runs; i++) {
      const { interval } = rateLift(draw(p1, n), n, draw(p0, n), n);
      if (interval.low <= p1 - p0 && p1 - p0 <= interval.high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
  });

  it('says when the sample is too small to call, and never calls it significant then', () => {
    const lift = rateLift(4, 10, 0, 10);
    expect(lift.tooSmall).toMatch(/too small to call: .*at least 5 .*fewest: 0/);
    expect(lift.significant).toBe(false);
    expect(rateLift(0, 0, 3, 50).tooSmall).toBe('no customers yet in the arm');
  });

  it('refuses counts that cannot be', () => {
    expect(() => rateLift(11, 10, 1, 10)).toThrow(/cannot exceed/);
    expect(() => rateLift(1.5, 10, 1, 10)).toThrow(/x must be a whole number/);
  });
});

describe('mean lift over control (seeded percentile bootstrap)', () => {
  it('gives the same interval for the same data and covers a known lift about 95 % of the time', () => {
    const random = seededRandom(11);
    // Referred revenue per customer: most 0, some one deal of 1,000.
    const group = (p: number, n: number) => Array.from({ length: n }, () => (random() < p ? 1000 : 0));
    expect(meanLift(group(0.2, 10), group(0.1, 200)).tooSmall).toBe(
      'too small to call: each group needs at least 20 customers (fewest: 10)',
    );
    const a = group(0.2, 200);
    const b = group(0.1, 200);
    expect(meanLift(a, b, { seed: 5 })).toEqual(meanLift(a, b, { seed: 5 }));
    let covered = 0;
    const runs = 300;
    for (let i = 0; i < runs; i++) {
      const { interval } = meanLift(group(0.2, 200), group(0.1, 200), { seed: i, resamples: 600 });
      if (interval.low <= 100 && 100 <= interval.high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.9);
    expect(covered / runs).toBeLessThan(0.99);
  });
});

describe('sample size and plan', () => {
  it('the normal quantile matches known values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('matches an independent computation (Python statistics.NormalDist, same pooled-variance formula)', () => {
    // python3: za=N().inv_cdf(.975); zb=N().inv_cdf(.8); pb=(p0+p1)/2;
    //          ceil((za*sqrt(2*pb*(1-pb)) + zb*sqrt(p0*(1-p0)+p1*(1-p1)))**2 / (p1-p0)**2)  → 3841, 8158
    expect(sampleSizePerGroup(0.1, 0.12)).toBe(3841);
    expect(sampleSizePerGroup(0.05, 0.06)).toBe(8158);
  });

  it('the slowest group decides the duration; a small holdout is usually that group', () => {
    const plan = planExperiment({ baseline: 0.05, lift: { relative: 0.2 }, weeklyVolume: 2000, weights: [0.45, 0.45], holdout: 0.1 });
    expect(plan.perGroup).toBe(8158);
    expect(plan.groups.map((g) => g.name)).toEqual(['arm 1', 'arm 2', 'control']);
    expect(plan.weeks).toBeCloseTo(8158 / 200, 6);
    expect(plan.weeksAtEqualShares).toBeCloseTo(8158 / (2000 / 3), 6);
  });

  it('names the field of a bad plan', () => {
    const base = { baseline: 0.05, lift: { relative: 0.2 }, weeklyVolume: 2000, weights: [0.45, 0.45], holdout: 0.1 };
    const fieldOf = (input: typeof base) => {
      try {
        planExperiment(input);
      } catch (err) {
        return err instanceof PlanInputError ? err.field : 'other';
      }
      return 'none';
    };
    expect(fieldOf({ ...base, holdout: 0.2 })).toBe('weights');
    expect(fieldOf({ ...base, baseline: 1.5 })).toBe('baseline');
    expect(fieldOf({ ...base, lift: { relative: 0 } })).toBe('lift');
    expect(fieldOf({ ...base, weeklyVolume: 0 })).toBe('weekly');
  });
});

describe('journey experiment plan', () => {
  const root = join(import.meta.dirname, '..');
  const run = promisify(execFile);
  async function journey(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['cli/journey.mjs', ...args], { cwd: root, encoding: 'utf8' });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('prints the customers per group and the weeks, and --json the same plan', async () => {
    const text = await journey('experiment', 'plan', '--baseline', '5%', '--lift', '20%', '--weekly', '2000');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Customers needed: 8,158 in each arm and in control.');
    expect(text.stdout).toContain('Expected duration: 41 weeks (the slowest group decides).');
    const json = await journey('experiment', 'plan', '--baseline', '0.05', '--difference', '1%', '--weekly', '2000', '--json');
    const plan = JSON.parse(json.stdout) as { perGroup: number; target: number };
    expect(plan.perGroup).toBe(8158);
    expect(plan.target).toBeCloseTo(0.06, 12);
  });

  it('exits 2 with the option named on bad input', async () => {
    const bad = await journey('experiment', 'plan', '--baseline', '5%', '--lift', '20%', '--weekly', '2000', '--holdout', '0.3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("journey experiment plan: --weights: the arms' shares plus the holdout must add up to 1, got 1.2");
    const both = await journey('experiment', 'plan', '--baseline', '5%', '--weekly', '2000');
    expect(both.stderr).toContain('give exactly one of --lift and --difference');
  });
});
