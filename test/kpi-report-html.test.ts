// `journey report --html FILE` in a real browser (Debian's Chromium): one self-contained page with a funnel per
// journey, weekly trends and the KPI table, charts drawn by Vega as SVG. With UPDATE_DOC_SCREENSHOTS=1 the
// screenshot replaces docs/images/kpi-report.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './ui/browser.ts';
import { writeHandLog } from './kpis/hand-log.ts';

const SHOTS =
  process.env.UPDATE_DOC_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images') : join(process.cwd(), 'test', '.artifacts');

describe('the HTML KPI report', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the funnel with its drop-offs, the weekly trends and the KPI table, with nothing fetched', async () => {
    const dataDir = writeHandLog();
    const file = join(dataDir, 'report.html');
    execFileSync('node', ['cli/journey.mjs', 'report', '--data', dataDir, '--html', file], { encoding: 'utf8' });
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http/); // self-contained
    expect((html.match(/<svg/g) ?? []).length).toBe(3); // funnels of j and of the journey-less QBRs, one trend chart
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    const text = await page.locator('body').innerText();
    // The funnel of j: 4 delighted, 3 qualified (−25.0%), 3 asked, 2 acted (−33.3%), 2 referred, 2 won.
    expect(text).toContain('(−25.0%)');
    expect(text).toContain('(−33.3%)');
    expect(text).toContain('Weekly trends');
    expect(text).toMatch(/Referral conversion rate\s+66\.7%/);
    expect(text).toMatch(/Referral account revenue contribution\s+waiting for account\.revenue/);
    expect(await page.locator('figure.funnel svg').count()).toBe(2);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'kpi-report.png'), fullPage: false });
  }, 120_000);
});
