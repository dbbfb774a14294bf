// `journey report --html FILE` with the shipped sample experiment's records: in a real browser (Debian's Chromium)
// the page has an Experiments section whose table puts control and each arm side by side (customers, every funnel
// step, the primary metric, the lift with its interval), with the method stated. With UPDATE_DOC_SCREENSHOTS=1 the
// screenshot goes to docs/images/experiment-report.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './ui/browser.ts';
import { appendTrackingBatch } from './api/experiment-support.ts';

const SHOTS =
  process.env.UPDATE_DOC_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images') : join(process.cwd(), 'test', '.artifacts');

describe('the HTML report of an experiment', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows control and each arm side by side, with the lift, its interval and the method', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'experiment-html-'));
    await appendTrackingBatch(dataDir, { control: [60, 12], congratulate: [200, 81], 'short-favour': [200, 110] }, 'html');
    const file = join(dataDir, 'report.html');
    execFileSync('node', ['cli/journey.mjs', 'report', '--data', dataDir, '--html', file], { encoding: 'utf8' });
    expect(readFileSync(file, 'utf8')).not.toMatch(/<script|<link|src="http/);
    // The text report prints the same table after the KPIs.
    const text = execFileSync('node', ['cli/journey.mjs', 'report', '--data', dataDir], { encoding: 'utf8' });
    expect(text).toMatch(
      /^experiment review-ask-wording · journey milestone-review-ask v2 · .* · primary metric referral-program-participation-rate$/m,
    );
    expect(text).toMatch(/^acted +12 \(20\.0%\) +81 \(40\.5%\) +110 \(55\.0%\)$/m);
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`file://${file}`);
    const table = page.locator('#experiment-review-ask-wording table.arms');
    expect(await table.locator('thead th').allInnerTexts()).toEqual([
      '',
      'control (10.0%)',
      'congratulate (45.0%)',
      'short-favour (45.0%)',
    ]);
    const row = async (label: string) =>
      table
        .locator('tbody tr', { has: page.locator(`th:text-is("${label}")`) })
        .locator('td')
        .allInnerTexts();
    expect(await row('customers')).toEqual(['60', '200', '200']);
    expect(await row('asked')).toEqual(['0 (0.0%)', '200 (100.0%)', '200 (100.0%)']);
    expect(await row('held out')).toEqual(['60 (100.0%)', '0 (0.0%)', '0 (0.0%)']);
    expect(await row('acted')).toEqual(['12 (20.0%)', '81 (40.5%)', '110 (55.0%)']);
    const lift = await row('lift over control (95 %)');
    expect(lift[0]).toBe('baseline');
    expect(lift[2]).toMatch(/^\+35\.0 pp \[\+\d+\.\d pp, \+\d+\.\d pp\] \*$/);
    const section = await page.locator('#experiment-review-ask-wording').innerText();
    expect(section).toContain("Newcombe's hybrid score interval");
    expect(section).toContain('short-favour: better than control by 35.0 pp');
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('#experiment-review-ask-wording').screenshot({ path: join(SHOTS, 'experiment-report.png') });
  }, 120_000);
});
