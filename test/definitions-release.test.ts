// release.onNoConversion in the journey language: accepted on release on conversion (the shipped referral journey
// with it set still compiles), a warning where it can have no effect, an error for a value the schema does not know.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJourney } from '../definitions/compiler/index.ts';
import { JOURNEYS_DIR, loadCatalog, loadTemplates } from '../definitions/loader.ts';

const file = join(JOURNEYS_DIR, 'nps-promoter-referral.json');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- edits the raw JSON on purpose, into shapes the schema refuses
function compileWith(edit: (def: any) => void) {
  const def = JSON.parse(readFileSync(file, 'utf8'));
  edit(def);
  return compileJourney({ file, source: JSON.stringify(def, null, 2), templates: loadTemplates() }, loadCatalog());
}

describe('release.onNoConversion', () => {
  it('release on conversion with onNoConversion: release compiles, and the plan carries it', () => {
    const r = compileWith((d) => {
      d.motions.referral.reward.release.onNoConversion = 'release';
    });
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.plan?.definition.motions.referral.reward?.release.onNoConversion).toBe('release');
  });

  it('onNoConversion on a reward released on action is a warning at its pointer', () => {
    const r = compileWith((d) => {
      d.motions['case-study'].reward.release.onNoConversion = 'forfeit';
    });
    expect(r.plan).toBeDefined();
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        code: 'reward.onNoConversionUnused',
        pointer: '/motions/case-study/reward/release/onNoConversion',
      }),
    );
  });

  it('an unknown value is an error naming the allowed ones', () => {
    const r = compileWith((d) => {
      d.motions.referral.reward.release.onNoConversion = 'refund';
    });
    expect(r.plan).toBeUndefined();
    const [problem] = r.diagnostics.filter((x) => x.pointer === '/motions/referral/reward/release/onNoConversion');
    expect(problem).toMatchObject({ severity: 'error' });
    expect(`${problem.message} ${problem.expected ?? ''}`).toMatch(/forfeit/);
  });
});
