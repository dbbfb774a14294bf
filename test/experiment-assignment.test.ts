// Experiment assignment: deterministic, sticky and in the declared shares.
import { describe, expect, it } from 'vitest';
import { assignArm, assignmentPoint } from '../workflows/journey/experiment-assignment.ts';

const arms = [
  { id: 'warm-wording', weight: 0.45 },
  { id: 'short-wording', weight: 0.45 },
];

describe('experiment assignment', () => {
  it('gives the same answer for the same experiment and customer, every time', () => {
    for (const id of ['c-1', 'alice@example.com', 'ünïcødé', ''])
      expect(assignArm('exp-1', id, arms, 0.1)).toEqual(assignArm('exp-1', id, arms, 0.1));
  });

  it('matches the weights within sampling error over 10,000 ids (chi-square, 2 degrees of freedom, p > 0.001)', () => {
    const counts = { control: 0, 'warm-wording': 0, 'short-wording': 0 };
    for (let i = 0; i < 10_000; i++) {
      const a = assignArm('invite-wording-2026q4', `customer-${i}`, arms, 0.1);
      counts[a.group === 'control' ? 'control' : (a.arm as 'warm-wording' | 'short-wording')]++;
    }
    const expected = { control: 1000, 'warm-wording': 4500, 'short-wording': 4500 };
    const chi2 = Object.entries(expected).reduce((s, [k, e]) => s + (counts[k as keyof typeof counts] - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(13.82); // the 0.999 quantile of chi-square with 2 degrees of freedom
    expect(counts.control).toBeGreaterThan(0);
  });

  it('another experiment splits the same customers independently', () => {
    let both = 0;
    for (let i = 0; i < 10_000; i++) if (assignmentPoint('a', `c${i}`) < 0.5 && assignmentPoint('b', `c${i}`) < 0.5) both++;
    // Independent halves overlap on a quarter: 2,500 ± 3 standard deviations (43).
    expect(Math.abs(both - 2500)).toBeLessThan(130);
  });

  it('keeps ids that share a prefix apart', () => {
    expect(assignmentPoint('a', 'b:c')).not.toBe(assignmentPoint('a:b', 'c'));
  });
});
