// `journey simulate` as a user runs it: a real process (node cli/journey.mjs), the time-skipping server inside it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONTACT_POLICY_FILE } from '../definitions/contact-policy.ts';

const run = promisify(execFile);
const LA_TIMELINE = 'test/interpreter/la-escalation.timeline.json';

function simulate(env: NodeJS.ProcessEnv = {}) {
  return run(
    process.execPath,
    ['cli/journey.mjs', 'simulate', 'definitions/journeys/nps-promoter-referral.json', '--timeline', LA_TIMELINE],
    {
      cwd: process.cwd(),
      timeout: 240_000,
      maxBuffer: 8 * 1024 * 1024,
      env: { ...process.env, ...env },
    },
  ); // rejects on a non-zero exit
}

/** A contact policy file: the shipped one with `change` over it. */
function policyFile(change: Record<string, unknown>): string {
  const shipped = JSON.parse(readFileSync(CONTACT_POLICY_FILE, 'utf8')) as Record<string, unknown>;
  const { $schema: _schema, ...policy } = shipped;
  const path = join(mkdtempSync(join(tmpdir(), 'simulate-policy-')), 'policy.json');
  writeFileSync(path, JSON.stringify({ ...policy, ...change }));
  return path;
}

describe('journey simulate (real process)', () => {
  it('a Los Angeles promoter with an open escalation: exit 0, the suppression and its reason, the ask at 09:00 in LA', async () => {
    const { stdout } = await simulate();
    expect(stdout).toMatch(/^customer zone: America\/Los_Angeles; day 0 = \d{4}-\d\d-\d\d fri 20:00 \(America\/Los_Angeles\)$/m);
    expect(stdout).toMatch(/^day\s+1\.0 .* SUPPRESSED by open-escalation \(while-open: open escalation\)$/m);
    // Resolved on day 3 (Monday evening in LA) + 14 days of cool-down = day 17, Monday 20:00; the ask waits for 09:00 in LA.
    const sent = stdout.split('\n').filter((l) => l.includes('SENT invite #1'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^day\s+17\.5\s+\d{4}-\d\d-\d\d tue 09:00 \(America\/Los_Angeles\)\s+SENT invite #1 via email/);
    expect(stdout).toContain('REWARDED referrer: credit 50 (ledger)');
  }, 300_000);

  it('honours JOURNEY_CONTACT_POLICY as the worker and the API do: a 16-day global cool-down after an escalation moves the ask', async () => {
    // The journey's own cool-down (14 days) would ask on day 17.5; the global policy holds every journey until day 19
    // (resolved day 3, Monday 20:00 LA, + 16 days = day 19, Wednesday 20:00), so the ask goes at the next window:
    // Thursday 09:00, day 19.5. Before simulate used the builder every starter shares, it ignored the variable (day 17.5).
    const { stdout } = await simulate({
      JOURNEY_CONTACT_POLICY: policyFile({ suppression: { ...shippedSuppression(), afterEscalationResolved: 'P16D' } }),
    });
    const sent = stdout.split('\n').filter((l) => l.includes('SENT invite #1'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^day\s+19\.5\s+\d{4}-\d\d-\d\d thu 09:00 \(America\/Los_Angeles\)\s+SENT invite #1 via email/);
  }, 300_000);

  it('a broken JOURNEY_CONTACT_POLICY stops simulate with the file and the field, before anything runs', async () => {
    const path = policyFile({ frequencyCap: { maxAsks: 'one', period: 'P7D' } });
    const failed = await simulate({ JOURNEY_CONTACT_POLICY: path }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(path);
    expect(failed?.stderr).toContain('maxAsks');
  }, 60_000);
});

function shippedSuppression(): Record<string, unknown> {
  return (JSON.parse(readFileSync(CONTACT_POLICY_FILE, 'utf8')) as { suppression: Record<string, unknown> }).suppression;
}
