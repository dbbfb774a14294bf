// journey backtest / diff / simulate as a user runs them (real processes): bad input exits 1 with a clear line
// (missing file, a bad NDJSON line with its number, an event the catalog refuses, an unknown customer, a bad
// timeline event), and a small backtest prints its JSON and writes its HTML page; a diff of a file against itself
// says there is no change.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateHistory, toNdjson } from './support/history-generator.ts';

const run = promisify(execFile);
const JOURNEY = 'definitions/journeys/nps-promoter-referral.json';
const dir = mkdtempSync(join(tmpdir(), 'cli-backtest-'));

async function journey(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['cli/journey.mjs', ...args], { timeout: 300_000, maxBuffer: 8 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('journey backtest, diff and simulate (real processes)', () => {
  const good = generateHistory({ customers: 3, days: 30, startMs: Date.parse('2026-05-04T00:00:00Z'), seed: 3 });
  const events = file('events.ndjson', toNdjson(good));

  it('bad input: each exits 1 with a clear line', async () => {
    const missing = await journey('backtest', JOURNEY, '--events', join(dir, 'nope.ndjson'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`${join(dir, 'nope.ndjson')}: no such events file\n`);

    const lines = toNdjson(good).split('\n');
    const broken = file('broken.ndjson', [lines[0], lines[1], '{"id": "x", "type": ', lines[2]].join('\n'));
    const bad = await journey('backtest', JOURNEY, '--events', broken);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${broken}:3: not a JSON line \\(`, 'm'));

    const typo = file('typo.ndjson', [lines[0], JSON.stringify({ ...good[1], type: 'nps.submited' })].join('\n'));
    const refused = await journey('backtest', JOURNEY, '--events', typo);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${typo}:2: /type: unknown event type \`nps.submited\`; did you mean \`nps.submitted\`?`);

    const unknown = await journey('backtest', JOURNEY, '--events', events, '--customer', 'zed');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`${events}: unknown customer "zed" (no event of theirs in the file)\n`);

    const count = await journey('backtest', JOURNEY, '--events', events, '--customers', 'lots');
    expect(count.code).toBe(1);
    expect(count.stderr).toBe('--customers must be a whole number of at least 1, got "lots"\n');

    const noJourney = await journey('diff', JOURNEY, join(dir, 'v2.json'), '--events', events);
    expect(noJourney.code).toBe(1);
    expect(noJourney.stderr).toBe(`${join(dir, 'v2.json')}: no such journey file\n`);

    const timeline = file('timeline.json', JSON.stringify({ events: [{ day: 0, type: 'nps.submitted', data: {} }] }));
    const sim = await journey('simulate', JOURNEY, '--timeline', timeline);
    expect(sim.code).toBe(1);
    expect(sim.stderr).toContain('/events/0/data/score: missing required field `score`');
    const noTimeline = await journey('simulate', JOURNEY, '--timeline', join(dir, 'none.json'));
    expect(noTimeline.code).toBe(1);
    expect(noTimeline.stderr).toBe(`${join(dir, 'none.json')}: no such timeline file\n`);
  }, 120_000);

  it('a small backtest prints its outcome as JSON and writes the HTML page; a diff of a file against itself has no change', async () => {
    const html = join(dir, 'backtest.html');
    const bt = await journey('backtest', JOURNEY, '--events', events, '--json', '--html', html);
    expect(bt.code, bt.stderr).toBe(0);
    const outcome = JSON.parse(bt.stdout);
    expect(outcome.totals.customers).toBe(3);
    expect(outcome.window).toMatchObject({ from: good[0].occurredAt });
    expect(outcome.forecast.assumptions.length).toBeGreaterThan(2);
    expect(bt.stderr).toMatch(/backtest (100%|\[#+\] 100%)/);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('Forecast for the next');

    const diff = await journey('diff', JOURNEY, JOURNEY, '--events', events);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('no change: both versions ask, suppress and reward exactly the same for every customer');
  }, 300_000);
});
