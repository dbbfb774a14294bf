// The advocate pages end to end, in Debian's Chromium against the real API, worker and dev server: a promoter's
// ask (demo copies of the shipped journeys, one day = 2 s) carries {{referralPageUrl}} and {{statusUrl}}; the friend
// opens the hosted referral page, fills the form and double-clicks Send, and exactly one referral.submitted reaches
// the advocate's run; the advocate's status page then shows that referral move through qualified, opportunity and
// won as the backend sends those events, with the reward pending, then issued. A bad code gets its own page, and
// the rate limits answer 429 naming the limit. Screenshots: test/.artifacts, or docs/images with UPDATE_DOC_SCREENSHOTS=1.
import { journeyEventSignal, journeyStateQuery, journeyWorkflowId, type JourneyEvent } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { loadPagesConfig } from '../definitions/pages.ts';
import { listOutbox } from '../activities/outbox.ts';
import { daytimeZones } from '../scripts/demo/population.ts';
import { auth, event, postEvent, signalsIn, type ApiFixture } from './api/support.ts';
import { startPagesStack, type PagesStack } from './support/pages-stack.ts';
import { wcagViolations } from './ui/axe.ts';

const JOURNEY = 'nps-promoter-referral';
const SHOTS =
  process.env.UPDATE_DOC_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images') : join(process.cwd(), 'test', '.artifacts');

describe('the hosted referral page and the advocate status page (API, worker, Chromium)', () => {
  let stack: PagesStack;
  let f: ApiFixture;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const pages = loadPagesConfig();
    // Limits low enough to reach in a test: 5 submissions per code an hour, 40 per IP.
    pages.referralPage.rateLimits = { perCode: { max: 5, window: 'PT1H' }, perIp: { max: 40, window: 'PT1H' } };
    stack = await startPagesStack({ pages });
    ({ f, base } = stack);
    context = await stack.browser.newContext({ viewport: { width: 900, height: 1100 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function send(customerId: string, type: string, data: Record<string, unknown>, traits?: Record<string, unknown>) {
    const res = await postEvent(f, event(customerId, { type, data, ...(traits ? { traits } : {}) }));
    expect(res.statusCode, res.body).toBe(202);
  }

  /** A promoter's first ask, and the two page links it carries. */
  async function promoter(customer: string) {
    await send(
      customer,
      'nps.submitted',
      { score: 10 },
      {
        email: `${customer}@globex.example`,
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: 'Globex',
        segment: 'mid-market',
        healthScore: 90,
        timezone: daytimeZones()[0],
      },
    );
    let html = '';
    await expect
      .poll(
        async () =>
          (html =
            ((await listOutbox(f.dataDir)).find((m) => m.to === `${customer}@globex.example`)?.message as { HtmlBody?: string } | undefined)
              ?.HtmlBody ?? ''),
        { timeout: 90_000 },
      )
      .toContain('/r/');
    const referralPageUrl = /href="([^"]+\/r\/[^"]+)"/.exec(html)![1];
    const statusUrl = /href="([^"]+\/a\/[^"]+)"/.exec(html)![1];
    // The email is in the outbox as soon as the send activity wrote it; the run records the ask (the page's "Invited
    // <date>") in its next workflow task, which a busy server may run seconds later.
    await expect.poll(async () => (await runState(customer)).history.lastAskAt, { timeout: 30_000 }).toBeDefined();
    return { referralPageUrl, statusUrl };
  }

  const runState = (customer: string) =>
    f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customer)).query(journeyStateQuery);

  async function fillForm(p: Page, email: string) {
    await p.getByLabel('Your name').fill('Grace Hopper');
    await p.getByLabel('Work email').fill(email);
    await p.getByLabel('Company').fill('Initech');
    await p.getByLabel('Role').fill('VP Engineering');
    await p.getByLabel('What should our team know?', { exact: false }).fill('Evaluating in Q1, 40 seats.');
    await p.getByLabel('I agree', { exact: false }).check();
  }

  /** Reloads the status page until the referral's stage reads `label`. */
  async function stageShows(url: string, label: string) {
    await expect
      .poll(
        async () => {
          await page.goto(url);
          return (await page.locator('#referrals td.stage strong').first().textContent()) ?? '';
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(label);
  }

  it('a friend double-clicks Send and the referral is submitted once; the status page shows it move from submitted to won, the reward from pending to issued', async () => {
    const customer = `pages-${randomUUID().slice(0, 8)}`;
    const { referralPageUrl, statusUrl } = await promoter(customer);
    expect(referralPageUrl.startsWith(`${base}/r/rc_`)).toBe(true);
    expect(statusUrl, 'the status link names no customer id').not.toContain(customer);
    expect(Buffer.from(statusUrl.split('/a/')[1].split('.')[0], 'base64url').toString('latin1')).not.toContain(customer);

    await page.goto(referralPageUrl);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
    expect(await page.locator('h1').textContent()).toBe("Ada thinks you'd love Acme");
    // The friend's offer from the journey's reward plan, the amount in the page's locale.
    expect(await page.locator('#intro').textContent()).toContain('$100.00 off your first invoice');
    expect(await page.locator('#invited-on').textContent()).toMatch(/^Invited [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    expect(await wcagViolations(page)).toEqual([]);
    await fillForm(page, 'grace@initech.example');
    await page.screenshot({ path: join(SHOTS, 'referral-page.png'), fullPage: true });

    // The same form sent twice at once with the browser's cookie (what a double click does where the browser does not
    // hold the second submit back; the page's CSP forbids script, so the context's request client sends them).
    const form = await page.evaluate(() =>
      Object.fromEntries([...new FormData(document.querySelector('form')!).entries()].map(([k, v]) => [k, String(v)])),
    );
    const twice = await Promise.all([
      context.request.post(referralPageUrl, { form }),
      context.request.post(referralPageUrl, { form }),
    ]).then((rs) => rs.map((r) => r.status()));
    expect(twice).toEqual([200, 200]);
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await page.locator('#submit').dblclick();
    await page.waitForSelector('#status');
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    await page.screenshot({ path: join(SHOTS, 'referral-page-thanks.png'), fullPage: true });
    console.log(`REFERRAL double-click sent ${posts.length} POST request(s) from Chromium, after 2 concurrent POSTs of the same form`);
    expect(posts.length).toBeGreaterThanOrEqual(1);

    await expect.poll(async () => (await runState(customer)).referrals.length, { timeout: 15_000 }).toBe(1);
    const submitted = (await signalsIn<JourneyEvent>(f.temporal, journeyWorkflowId(JOURNEY, customer), journeyEventSignal)).filter(
      (e) => e.type === 'referral.submitted',
    );
    expect(submitted).toHaveLength(1);
    expect(submitted[0].data).toMatchObject({
      referredEmail: 'grace@initech.example',
      referredName: 'Grace Hopper',
      referredCompany: 'Initech',
      referredRole: 'VP Engineering',
      context: 'Evaluating in Q1, 40 seats.',
      consent: true,
      source: 'referral-page',
    });
    const { referralId } = (await runState(customer)).referrals[0];

    await stageShows(statusUrl, 'Submitted');
    await expect
      .poll(async () => (await page.goto(statusUrl), await page.locator('#rewards').textContent()), { timeout: 30_000 })
      .toContain('Pending');
    expect(await page.locator('#rules').textContent()).toContain('$50.00 in account credit');
    expect(await page.locator('#tier').textContent()).toContain('1 of 3 rewarded referrals to silver');
    await page.screenshot({ path: join(SHOTS, 'advocate-status-submitted.png'), fullPage: true });

    const code = decodeURIComponent(referralPageUrl.split('/r/')[1]);
    await send(`lead-${customer}`, 'referral.qualified', { referralId, referralCode: code });
    await stageShows(statusUrl, 'Qualified');
    await send(`lead-${customer}`, 'opportunity.created', { referralId, referralCode: code, amount: 12000 });
    await stageShows(statusUrl, 'Opportunity');
    await send(`lead-${customer}`, 'deal.closed_won', { referralId, referralCode: code, amount: 24000, currency: 'USD' });
    await stageShows(statusUrl, 'Won');
    await expect
      .poll(async () => (await page.goto(statusUrl), await page.locator('#rewards tr[data-reward-status="issued"]').count()), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(1);
    // The held reward already counted towards the tier (as the engine counts it): still 1 of 3 once issued.
    expect(await page.locator('#tier').textContent()).toContain('1 of 3 rewarded referrals to silver');

    // The advocate opts in to the leaderboard: first name and last initial, never more.
    await page.locator('#leaderboard-toggle').click();
    await page.waitForSelector('#notice');
    expect(await page.locator('#leaderboard').textContent()).toContain('Ada L. (you)');
    expect(await page.locator('#leaderboard').textContent()).not.toContain('Lovelace');
    expect(await wcagViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'advocate-status-won.png'), fullPage: true });
  });

  it('a bad code shows its own page (404), a forged status link too, never a stack trace', async () => {
    const res = await page.goto(`${base}/r/rc_notARealCodeAtAll123`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('This link is not active');
    expect(await page.locator('#status').textContent()).toContain('not valid any more');
    expect(await wcagViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'referral-page-bad-code.png'), fullPage: true });
    const odd = await page.goto(`${base}/r/${'%F0%9F%92%A5'.repeat(3)}`);
    expect(odd?.status()).toBe(404);
    const forged = await page.goto(`${base}/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB`);
    expect(forged?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Link not valid');
  });

  it('rate limits apply: the sixth submission for one code in an hour is 429 naming the per-code limit, and so is one IP beyond its limit; a revoked code gets its page', async () => {
    const customer = `pages-rl-${randomUUID().slice(0, 8)}`;
    const { referralPageUrl } = await promoter(customer);
    for (let i = 1; i <= 5; i++) {
      await page.goto(referralPageUrl);
      await fillForm(page, `friend${i}@initech.example`);
      await page.locator('#submit').click();
      await page.waitForSelector('#status');
      expect(await page.locator('h1').textContent()).toBe('Thank you');
    }
    await page.goto(referralPageUrl);
    await fillForm(page, 'friend6@initech.example');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('#submit').click()]);
    expect(response.status()).toBe(429);
    expect(Number(response.headers()['retry-after'])).toBeGreaterThan(0);
    expect(await page.locator('#status').textContent()).toContain('5 submissions per hour per referral code');
    await page.screenshot({ path: join(SHOTS, 'referral-page-rate-limited.png'), fullPage: true });
    await expect.poll(async () => (await runState(customer)).referrals.length, { timeout: 15_000 }).toBe(5);

    // The advocate opts out: their code is revoked, a friendly 410 page once the 15 s lookup cache has moved on.
    const optOut = await f.api.inject({
      method: 'POST',
      url: `/v1/customers/${customer}/opt-out`,
      headers: auth(),
      payload: { actor: 'sam', reason: 'asked' },
    });
    expect(optOut.statusCode).toBe(200);
    await expect.poll(async () => (await page.goto(referralPageUrl))?.status(), { timeout: 25_000, interval: 1000 }).toBe(410);
    expect(await page.locator('#status').textContent()).toContain('not valid any more');

    // Per IP: 40 an hour from one address, whatever the code (counted before anything else is looked at).
    const fromOneIp = async () =>
      await f.api.inject({
        method: 'POST',
        url: `/r/rc_x${randomUUID().slice(0, 6)}`,
        remoteAddress: '203.0.113.9',
        payload: 'csrf=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    for (let i = 0; i < 40; i++) expect((await fromOneIp()).statusCode).toBe(403);
    const limited = await fromOneIp();
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('40 submissions per hour per IP address');
  });
});
