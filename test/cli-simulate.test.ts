// `journey simulate` as a user runs it: a real process (node cli/journey.mjs), the time-skipping server inside it.
// It prints from the tracking records written as the run goes: every send with its recipient and subject, moved
// send times with their reason, holds with their end, rewards and thank-yous; --out keeps its folder, and without
// it nothing is left behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONTACT_POLICY_FILE } from '../definitions/contact-policy.ts';

const run = promisify(execFile);
const LA_TIMELINE = 'test/interpreter/la-escalation.timeline.json';

function simulate(env: NodeJS.ProcessEnv = {}, args = ['--timeline', LA_TIMELINE]) {
  return run(process.execPath, ['cli/journey.mjs', 'simulate', 'definitions/journeys/nps-promoter-referral.json', ...args], {
    cwd: process.cwd(),
    timeout: 240_000,
    maxBuffer: 8 * 1024 * 1024,
    env: { ...process.env, ...env },
  }); // rejects on a non-zero exit
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
  it('a Los Angeles promoter with an open escalation: the hold and its end, the moved ask at 09:00 in LA to its recipient, the reward and the thank-you', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'simulate-test-')), 'lee');
    const { stdout } = await simulate({}, ['--timeline', LA_TIMELINE, '--out', out]);
    expect(stdout).toMatch(
      /^customer zone: America\/Los_Angeles; day 0 = \d{4}-\d\d-\d\d fri 20:00 America\/Los_Angeles \(\d{4}-\d\d-\d\d 0[34]:00 UTC\)$/m,
    );
    expect(stdout).toMatch(/^day\s+1\.0 .* SUPPRESSED by open-escalation \(while-open: open escalation\)$/m);
    // Resolved on day 3 (Monday evening in LA) + 14 days of cool-down = day 17, Monday 20:00; the ask waits for 09:00 in LA.
    expect(stdout).toMatch(
      /^day\s+3\.0 .* open-escalation ESC-9 resolved; asks wait until \d{4}-\d\d-\d\d mon 20:00 \(America\/Los_Angeles\)$/m,
    );
    expect(stdout).toMatch(/^day\s+17\.0 .* released: cool-down after open escalation resolved$/m);
    expect(stdout).toMatch(
      /invite #1 moved from .* to \d{4}-\d\d-\d\d tue 09:00 \(America\/Los_Angeles\): send window mon,tue,wed,thu,fri 09:00-17:00 \(America\/Los_Angeles\)$/m,
    );
    const sent = stdout.split('\n').filter((l) => l.includes('SENT invite #1'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(
      /^day\s+17\.5\s+\d{4}-\d\d-\d\d tue 09:00 \(America\/Los_Angeles\)\s+SENT invite #1 via email to lee@example\.com: "Lee, know a team who'd love Acme\?", template templates\/referral-invite\.mustache$/,
    );
    expect(stdout).toMatch(/reward held: referrer credit 50 USD for R-9, until the deal closes, at most until /);
    expect(stdout).toContain('REWARDED referrer: credit 50 (ledger)');
    expect(stdout).toMatch(
      /THANK-YOU sent to lee@example\.com: "Thank you, Lee: your reward is on its way", template templates\/referral-thank-you\.mustache$/m,
    );
    expect(stdout).toContain(`outbox and tracking log kept in ${out}`);
    expect(readdirSync(out).sort()).toEqual(['outbox', 'tracking']);
  }, 300_000);

  it('a 15-day simulation prints its dated lines from the live log, and leaves no temporary folder behind', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const { stdout } = await simulate({}, ['--timeline', 'test/interpreter/short-promoter.timeline.json']);
    expect(stdout).toMatch(/^day\s+0\.0 .* delight: promoter$/m);
    expect(stdout).toMatch(/^day\s+[0-9.]+ .* SENT invite #1 via email to sam@example\.com: "Sam, know a team/m);
    expect(stdout).not.toContain('kept in');
    const left = readdirSync(tmpdir()).filter((n) => !before.has(n) && n.startsWith('journey-simulate-'));
    expect(left).toEqual([]);
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
