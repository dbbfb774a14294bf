// The account owner's Done / Decline links end to end, in Debian's Chromium against the real API, worker and dev
// server: a renewal starts the strategic journey (demo copy, the ask at once), the worker emails the owner the task
// with two signed links (the outbox), the owner opens Done (the page changes nothing, as a mail scanner's prefetch
// must not), double-clicks Done, the form is posted twice more, and the run takes exactly one owner_task.completed
// and moves on to Activate. A forged link gets a friendly page. Screenshots: test/.artifacts, or docs/images with
// UPDATE_DOC_SCREENSHOTS=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { journeyEventSignal, journeyStateQuery, journeyWorkflowId, type JourneyEvent } from '../workflows/contract/index.ts';
import { listOutbox } from '../activities/outbox.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { event, postEvent, signalsIn, type ApiFixture } from './api/support.ts';
import { startPagesStack, type PagesStack } from './support/pages-stack.ts';
import { wcagViolations } from './ui/axe.ts';
import { strategicRenewal } from './support/strategic-account.ts';

const JOURNEY = 'strategic-reference-advisory';
const OWNER = 'jordan.lee@acme.example';
const SHOTS =
  process.env.UPDATE_DOC_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images') : join(process.cwd(), 'test', '.artifacts');

describe("the account owner's Done / Decline links (API, worker, Chromium)", () => {
  let stack: PagesStack;
  let f: ApiFixture;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startPagesStack({
      // The task goes out at once and stays open for ten minutes (the demo's 1 day = 2 s would close it in 20 s).
      adjustPlans: (plans) => {
        for (const plan of plans.filter((p) => p.journeyId === JOURNEY))
          for (const motion of Object.values(plan.definition.motions)) {
            motion.invite.firstAskDelay = 'PT1S';
            if (motion.invite.ownerTask) motion.invite.ownerTask.answerWithin = 'PT10M';
          }
      },
    });
    ({ f, base } = stack);
    context = await stack.browser.newContext({ viewport: { width: 900, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const run = (customer: string) => f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customer));

  /** A renewal of a strategic account, and the Done link in the owner's task email. */
  async function ownerTaskEmail(customer: string) {
    const res = await postEvent(f, event(customer, strategicRenewal(customer, OWNER)));
    expect(res.statusCode, res.body).toBe(202);
    let html = '';
    let text = '';
    await expect
      .poll(
        async () => {
          const mail = (await listOutbox(f.dataDir)).find((m) => m.to === OWNER && m.message.Metadata?.customer === customer);
          const message = mail?.message as { HtmlBody?: string; TextBody?: string } | undefined;
          text = message?.TextBody ?? '';
          return (html = message?.HtmlBody ?? '');
        },
        { timeout: 60_000 },
      )
      .toContain('/o/');
    // The plain-text part carries the same two links.
    expect(text).toMatch(/Done: http:\/\/[^\s]+\/o\/[^\s]+\?answer=done/);
    expect(text).toMatch(/Decline: http:\/\/[^\s]+\/o\/[^\s]+\?answer=decline/);
    return {
      doneUrl: /href="([^"]+\/o\/[^"]+\?answer=done)"/.exec(html)![1],
      declineUrl: /href="([^"]+\/o\/[^"]+\?answer=decline)"/.exec(html)![1],
    };
  }

  it('the owner opens Done from the email, double-clicks it, and the run takes exactly one owner_task.completed and moves on', async () => {
    const customer = `owner-${randomUUID().slice(0, 8)}`;
    const { doneUrl, declineUrl } = await ownerTaskEmail(customer);
    expect(doneUrl.startsWith(`${base}/o/`)).toBe(true);
    expect(declineUrl.split('?')[0]).toBe(doneUrl.split('?')[0]);
    const token = doneUrl.split('/o/')[1].split('?')[0];
    expect(doneUrl, 'the link names no customer id').not.toContain(customer);
    expect(Buffer.from(token.split('.')[0], 'base64url').toString('latin1')).not.toContain(customer);
    const { taskId } = (await run(customer).query(journeyStateQuery)).ownerTask!;

    // Opening the links (twice, as a mail scanner would, Decline too) changes nothing.
    for (const url of [doneUrl, declineUrl]) expect((await context.request.get(url)).status()).toBe(200);
    const opened = await page.goto(doneUrl);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Your 1:1 task: Customer Inc');
    const task = (await page.locator('#task').textContent()) ?? '';
    expect(task).toContain('reference call');
    expect(task).toMatch(/Answer by.*\(Europe\/Berlin\)/);
    expect(await page.locator('#hint').textContent()).toContain('Press Done to confirm');
    expect(await wcagViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'owner-task-page.png'), fullPage: true });
    expect((await run(customer).query(journeyStateQuery)).ownerTask?.outcome, 'a GET never answers').toBeUndefined();

    const form = await page.evaluate(() =>
      Object.fromEntries([...new FormData(document.querySelector('form')!).entries()].map(([k, v]) => [k, String(v)])),
    );
    // The same form posted twice at once with the browser's cookie (what a double click does where the browser does not
    // hold the second submit back; the page's CSP forbids script, so the request client sends them).
    const again = await Promise.all([0, 1].map(() => context.request.post(doneUrl.split('?')[0], { form: { ...form, answer: 'done' } })));
    expect(again.map((r) => r.status())).toEqual([200, 200]);
    // Then the owner double-clicks Done in the page: the same event id again at most, or the answer already shown.
    await page.getByRole('button', { name: 'Done' }).dblclick();
    await page.waitForSelector('#status');
    expect(await page.locator('#status').textContent()).toMatch(/marked as done/);
    await page.screenshot({ path: join(SHOTS, 'owner-task-done.png'), fullPage: true });

    await expect
      .poll(async () => (await run(customer).query(journeyStateQuery)).stage, { timeout: 20_000, interval: 250 })
      .toBe('activate');
    expect((await run(customer).query(journeyStateQuery)).ownerTask).toMatchObject({ taskId, outcome: 'done' });
    const answers = (await signalsIn<JourneyEvent>(f.temporal, journeyWorkflowId(JOURNEY, customer), journeyEventSignal)).filter((e) =>
      e.type.startsWith('owner_task.'),
    );
    expect(new Set(answers.map((e) => `${e.type} ${e.id}`))).toEqual(new Set([`owner_task.completed ${answers[0].id}`]));
    const tracked = (await readTrackingLog(f.dataDir)).records.filter((r) => r.customerId === customer && r.type.startsWith('owner_task.'));
    expect(tracked.map((r) => r.type)).toEqual(['owner_task.created', 'owner_task.completed']);

    // Later, the link shows what was answered, and Decline is no longer offered.
    await page.goto(declineUrl);
    expect(await page.locator('#status').textContent()).toContain('already answered: marked as done');
    expect(await page.locator('form').count()).toBe(0);
  });

  it('a forged or cut link gets a friendly page, never a stack trace, and sends nothing', async () => {
    const customer = `owner-${randomUUID().slice(0, 8)}`;
    const { doneUrl } = await ownerTaskEmail(customer);
    const [path] = doneUrl.split('?');
    const forged = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    const res = await page.goto(forged);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Task link');
    expect(await page.locator('#status').textContent()).toContain('not valid');
    expect(await page.content()).not.toMatch(/at .*\.ts:\d+|Error:/);
    await page.screenshot({ path: join(SHOTS, 'owner-task-link-invalid.png'), fullPage: true });
    // Posting to a forged link sends nothing either.
    const posted = await context.request.post(forged, { form: { answer: 'done', csrf: 'x' } });
    expect(posted.status()).toBe(404);
    expect((await page.goto(`${base}/o/${'x'.repeat(5000)}`))?.status()).toBe(404);
    expect((await run(customer).query(journeyStateQuery)).ownerTask?.outcome).toBeUndefined();
  });
});
