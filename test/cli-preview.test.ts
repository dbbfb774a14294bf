// `journey preview` as a marketer runs it: a real process, then its HTML page in real Chromium (Debian's package,
// driven by playwright-core). With UPDATE_DOC_SCREENSHOTS=1 the screenshot replaces docs/images/journey-preview.png.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './ui/browser.ts';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);
const SHOTS = process.env.UPDATE_DOC_SCREENSHOTS === '1' ? join(root, 'docs', 'images') : join(root, 'test', '.artifacts');
const NPS = 'definitions/journeys/nps-promoter-referral.json';

async function journey(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['cli/journey.mjs', ...args], { cwd: root, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'journey-preview-'));

/** The NPS journey with an ask subject that reads a trait without a guard: customers without a company get a blank. */
function journeyWithBlank(): string {
  const file = join(scratch, 'unguarded.json');
  const source = readFileSync(join(root, NPS), 'utf8')
    .replace('"$schema": "../schema/journey.schema.json"', `"$schema": "${join(root, 'definitions/schema/journey.schema.json')}"`)
    .replace(
      /"subject": "[^"]* a team who'd love [^"]*"/,
      '"subject": "{{traits.company}}: know a team who\'d love {{model.productName}}?"',
    );
  writeFileSync(file, source);
  return file;
}

describe('journey preview', () => {
  it('prints subject, from, to and text of every message for the sample customers, and writes the page', async () => {
    const out = join(scratch, 'nps.html');
    const { code, stdout } = await journey('preview', NPS, '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain("Subject: Casey, know a team who'd love Acme?");
    expect(stdout).toContain('From: journeys@example.com');
    expect(stdout).toContain('To: casey.jones@northwind.example');
    expect(stdout).toContain('If you know a team who would get as much out of Acme as Northwind does, send them your personal link.');
    expect(stdout).toContain('case-study · owner-task · for lee-email-only');
    expect(stdout).toContain('not sent: the customer has no traits.ownerEmail');
    expect(stdout).toMatch(/18 messages for 3 customers; no blank value\. HTML page: .*nps\.html/);
    expect(readFileSync(out, 'utf8')).toContain('<strong>silver</strong> advocate');
  });

  it('renders for the given traits instead (--traits FILE)', async () => {
    const traits = join(scratch, 'ana.json');
    writeFileSync(traits, JSON.stringify({ email: 'ana@example.org', firstName: 'Ana', company: 'Globex' }));
    const { code, stdout } = await journey('preview', NPS, '--traits', traits, '--out', join(scratch, 'ana.html'));
    expect(code).toBe(0);
    expect(stdout).toContain("Subject: Ana, know a team who'd love Acme?");
    expect(stdout).toContain('as Globex does');
    expect(stdout).toMatch(/6 messages for 1 customer; no blank value/);
  });

  it('marks a blank in the terminal, and --fail-on-blank exits 2', async () => {
    const { code, stdout } = await journey('preview', journeyWithBlank(), '--out', join(scratch, 'blank.html'), '--fail-on-blank');
    expect(code).toBe(2);
    expect(stdout).toContain("Subject: : know a team who'd love Acme?");
    expect(stdout).toContain('! BLANK: {{traits.company}} in the subject is missing');
    expect(stdout).toMatch(/18 messages for 3 customers; 2 with a blank value/);
  });

  it('exits 1 with one clear line on bad input', async () => {
    const missing = await journey('preview', 'definitions/journeys/no-such.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such\.json:1:1 {2}\(document\) {2}cannot read the file: ENOENT/);
    expect(missing.stderr).toContain('cannot preview a journey that does not compile (1 errors above)');

    const noTraits = await journey('preview', NPS, '--traits', join(scratch, 'nope.json'));
    expect(noTraits.code).toBe(1);
    expect(noTraits.stderr.trim()).toBe(`${join(scratch, 'nope.json')}: cannot read the traits file (ENOENT)`);

    const badJson = join(scratch, 'bad.json');
    writeFileSync(badJson, '{"email": "a@b.example",');
    const bad = await journey('preview', NPS, '--traits', badJson);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.json: not valid JSON \(/);

    const typo = join(scratch, 'typo.json');
    writeFileSync(typo, JSON.stringify({ email: 'a@b.example', firstname: 'Ana' }));
    const unknown = await journey('preview', NPS, '--traits', typo);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('typo.json: `firstname` is not a customer trait; did you mean `firstName`?');
  });
});

describe('the preview page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every message with its headers and HTML body, and marks each blank in red, with nothing fetched', async () => {
    const out = join(scratch, 'page.html');
    await journey('preview', journeyWithBlank(), '--out', out);
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${out}`);
    expect(await page.locator('article.message').count()).toBe(18);
    await expect.poll(() => page.locator('header .summary').innerText()).toBe('2 of 18 messages have a blank value (marked in red)');
    const marks = page.locator('mark.blank');
    expect(await marks.count()).toBe(2);
    expect(await marks.first().innerText()).toBe('{{traits.company}}');
    expect(await marks.first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(251, 211, 207)');
    const kim = page.locator('article.has-blank').first();
    expect(await kim.locator('h2').innerText()).toContain('referral · ask for kim-no-name');
    expect(await kim.locator('dd.subject').innerText()).toBe("{{traits.company}}: know a team who'd love Acme?");
    // The HTML body itself, rendered: the link and the fallback wording.
    expect(await kim.locator('.message-body a').first().getAttribute('href')).toBe(
      'https://acme.example/refer?code=rc_preview_kim-no-name',
    );
    expect(await kim.locator('.message-body').innerText()).toContain('as much out of Acme as your team does');
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await kim.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -140));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'journey-preview.png'), fullPage: false });
  }, 120_000);
});
