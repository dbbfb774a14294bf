// `journey simulate` as a user runs it: a real process (node cli/journey.mjs), the time-skipping server inside it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('journey simulate (real process)', () => {
  it('a Los Angeles promoter with an open escalation: exit 0, the suppression and its reason, the ask at 09:00 in LA', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'cli/journey.mjs',
        'simulate',
        'definitions/journeys/nps-promoter-referral.json',
        '--timeline',
        'test/interpreter/la-escalation.timeline.json',
      ],
      { cwd: process.cwd(), timeout: 240_000, maxBuffer: 8 * 1024 * 1024 },
    ); // rejects on a non-zero exit
    expect(stdout).toMatch(/^customer zone: America\/Los_Angeles; day 0 = \d{4}-\d\d-\d\d fri 20:00 \(America\/Los_Angeles\)$/m);
    expect(stdout).toMatch(/^day\s+1\.0 .* SUPPRESSED by open-escalation \(while-open: open escalation\)$/m);
    // Resolved on day 3 (Monday evening in LA) + 14 days of cool-down = day 17, Monday 20:00; the ask waits for 09:00 in LA.
    const sent = stdout.split('\n').filter((l) => l.includes('SENT invite #1'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^day\s+17\.5\s+\d{4}-\d\d-\d\d tue 09:00 \(America\/Los_Angeles\)\s+SENT invite #1 via email/);
    expect(stdout).toContain('REWARDED referrer: credit 50 (ledger)');
  }, 300_000);
});
