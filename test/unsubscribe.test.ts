// One-click unsubscribe (RFC 8058), end to end: a customer's NPS answer goes through the real API to the journeys
// (demo copies of the shipped ones, so the ask goes out in seconds), the real email activity writes the ask to the
// outbox with List-Unsubscribe (an https-or-local URL and a mailto) and List-Unsubscribe-Post, and the recipient opens
// that link in Debian's Chromium: the page asks, the button opts them out of every journey within seconds, the undo
// opts them back in; a mail client's one-click POST does the same without a page; a forged link is refused.
import { customerStateQuery, customerWorkflowId, journeyStateQuery, type CustomerSnapshot } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { listOutbox } from '../activities/outbox.ts';
import { daytimeZones } from '../scripts/demo/population.ts';
import { auth, event, postEvent, type ApiFixture } from './api/support.ts';
import { startPagesStack, type PagesStack } from './support/pages-stack.ts';

describe('the unsubscribe link in every ask (API, worker, outbox, Chromium)', () => {
  let stack: PagesStack;
  let f: ApiFixture;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    stack = await startPagesStack();
    ({ f, base } = stack);
    page = await stack.browser.newPage();
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function promoter(customer: string) {
    const res = await postEvent(
      f,
      event(customer, {
        id: `nps-${customer}`,
        type: 'nps.submitted',
        data: { score: 10 },
        traits: {
          email: `${customer}@globex.example`,
          firstName: 'Ada',
          segment: 'mid-market',
          healthScore: 90,
          timezone: daytimeZones()[0],
        },
      }),
    );
    expect(res.statusCode).toBe(202);
    // The first ask lands in the outbox (the demo copy asks seconds after the answer).
    let ask;
    await expect
      .poll(async () => (ask = (await listOutbox(f.dataDir)).find((m) => m.to === `${customer}@globex.example`)), { timeout: 90_000 })
      .toBeDefined();
    return ask!;
  }

  /** Every running journey run of the customer (from visibility), with whether it is opted out. */
  async function runsOptedOut(customer: string): Promise<boolean[]> {
    const ids: string[] = [];
    const query = `WorkflowType = 'advocacyJourney' AND CustomerId = "${customer}" AND ExecutionStatus = 'Running'`;
    for await (const run of f.temporal.client.workflow.list({ query })) ids.push(run.workflowId);
    return Promise.all(
      ids.map(async (id) => Boolean((await f.temporal.client.workflow.getHandle(id).query(journeyStateQuery)).suppression.optedOut)),
    );
  }
  const profile = (customer: string) =>
    f.temporal.client.workflow.getHandle(customerWorkflowId(customer)).query(customerStateQuery) as Promise<CustomerSnapshot>;

  it('every ask carries List-Unsubscribe (URL and mailto) and List-Unsubscribe-Post; the page opts out of every journey within seconds, and undo opts back in', async () => {
    const customer = `unsub-${randomUUID().slice(0, 8)}`;
    const ask = await promoter(customer);
    const headers = (ask.message as { Headers?: { Name: string; Value: string }[] }).Headers ?? [];
    const listUnsubscribe = headers.find((h) => h.Name === 'List-Unsubscribe')?.Value ?? '';
    expect(headers).toContainEqual({ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' });
    const [, url] = /^<([^>]+)>, <mailto:unsubscribe@globex\.example\?subject=unsubscribe%20[^>]+>$/.exec(listUnsubscribe) ?? [];
    expect(url, listUnsubscribe).toMatch(new RegExp(`^${base}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    // The same link is the email's own "stop receiving these asks".
    expect((ask.message as { HtmlBody?: string }).HtmlBody).toContain(`href="${url}"`);
    // A second journey's run: a milestone opens a cycle in milestone-review-ask (the NPS answer started only its own).
    const milestone = await postEvent(
      f,
      event(customer, { id: `ms-${customer}`, type: 'milestone.reached', data: { milestone: 'go-live' } }),
    );
    expect(milestone.json().journeys).toContainEqual(expect.objectContaining({ journeyId: 'milestone-review-ask', outcome: 'started' }));
    await expect.poll(async () => (await runsOptedOut(customer)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

    // Opening the link changes nothing by itself (mail scanners open links); the button does.
    await page.goto(url);
    expect(await page.locator('h1').textContent()).toBe('Unsubscribe');
    expect((await runsOptedOut(customer)).every((o) => !o)).toBe(true);
    const clicked = Date.now();
    await page.locator('#unsubscribe').click();
    await page.waitForSelector('#status');
    expect(await page.locator('#status').textContent()).toContain('You are unsubscribed');
    await expect.poll(async () => (await runsOptedOut(customer)).every(Boolean), { timeout: 5000, interval: 200 }).toBe(true);
    console.log(`UNSUBSCRIBE every journey opted out ${Date.now() - clicked} ms after the click`);
    expect((await profile(customer)).optedOut).toMatchObject({ by: 'unsubscribe-link' });
    // Coming back to the link shows where they stand, with the undo.
    await page.goto(url);
    expect(await page.locator('#status').textContent()).toContain('You are unsubscribed');

    await page.locator('#undo').click();
    await page.waitForSelector('#status');
    expect(await page.locator('#status').textContent()).toContain('subscribed again');
    await expect.poll(async () => (await runsOptedOut(customer)).every((o) => !o), { timeout: 5000, interval: 200 }).toBe(true);
    expect((await profile(customer)).optedOut ?? undefined).toBeUndefined();

    // A mail client's one-click POST (RFC 8058): no page, no key, the body it sends.
    const oneClick = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.json()).toMatchObject({ status: 'unsubscribed' });
    await expect.poll(async () => (await runsOptedOut(customer)).every(Boolean), { timeout: 5000, interval: 200 }).toBe(true);
  });

  it('a link whose signature does not match is refused with a page, and an operator opt-out cannot be undone from a link', async () => {
    const customer = `forged-${randomUUID().slice(0, 8)}`;
    const forged = `${base}/u/${Buffer.from(JSON.stringify([customer, 'nps-promoter-referral'])).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    const res = await page.goto(forged);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Link not valid');
    const post = await fetch(forged, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ error: 'not_found', errors: [{ pointer: '/token' }] });

    const ask = await promoter(customer);
    const url = /^<([^>]+)>/.exec((ask.message as { Headers: { Name: string; Value: string }[] }).Headers[0].Value)![1];
    const byOperator = await f.api.inject({
      method: 'POST',
      url: `/v1/customers/${customer}/opt-out`,
      headers: auth(),
      payload: { actor: 'sam', reason: 'GDPR request' },
    });
    expect(byOperator.statusCode).toBe(200);
    const undo = await fetch(`${url}/undo`, { method: 'POST' });
    expect(undo.status).toBe(409);
    expect((await profile(customer)).optedOut).toMatchObject({ by: 'sam' });
  });
});
