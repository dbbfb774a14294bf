// The operator's view, checked in a real browser: the Temporal UI of the test run's dev server, in Debian's
// Chromium. A customer's NPS answer goes through the real API to the real advocacyJourney (a demo copy of the
// shipped NPS journey, so the ask goes out in seconds); the operator finds the run by CustomerId, opens it and
// reads its summary and current details. Screenshots go to test/.artifacts; with UPDATE_DOC_SCREENSHOTS=1 they
// replace the ones in docs/images (so a plain `npm test` leaves the work tree clean).
import { JourneyStage, Suppressed, journeyStateQuery, journeyWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { Worker } from '@temporalio/worker';
import { JOURNEYS_DIR, loadJourneyDir } from '../definitions/loader.ts';
import { PlanRegistry } from '../api/registry.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { writeDemoJourneys } from '../scripts/demo/demo-journeys.ts';
import { daytimeZones } from '../scripts/demo/population.ts';
import { auth, startApi, type ApiFixture } from './api/support.ts';
import { workflowBundle } from './support/temporal.ts';
import { sharedServerKind } from './setup/cluster-server.ts';
import { launchChromium } from './ui/browser.ts';
import { openRun, openUserMetadata, panelFit, searchWorkflows, visibleText } from './ui/temporal-ui.ts';

const SCREENSHOT_DIR =
  process.env.UPDATE_DOC_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images') : join(process.cwd(), 'test', '.artifacts');
const SCREENSHOT = join(SCREENSHOT_DIR, 'temporal-ui-run.png');

// The shared server's UI: the dev server's own, or against the production topology's (JOURNEY_TEST_TEMPORAL=cluster)
// the ui-server beside it (test/setup/cluster-server.ts). Without one this file is skipped, and says so loudly.
const uiUrl = inject('temporalUiUrl');
// The dev server always serves one, so only the cluster's may be missing.
const noUi = sharedServerKind() === 'cluster' && !uiUrl;
if (noUi)
  process.stderr.write('\n!! test/ui.test.ts SKIPPED: the shared cluster server has no UI (TEMPORAL_UI_SERVER_PATH is not set)\n\n');

describe.skipIf(noUi)("an operator finds a customer's run in the Temporal UI", () => {
  let f: ApiFixture;
  let worker: Worker;
  let running: Promise<void>;
  let browser: Browser;
  let page: Page;
  const customerId = `ada-${randomUUID().slice(0, 6)}`;
  const otherCustomer = `bob-${randomUUID().slice(0, 6)}`;
  const workflowId = journeyWorkflowId('nps-promoter-referral', customerId);

  beforeAll(async () => {
    expect(uiUrl, "the shared server's UI address (test/setup/global.ts)").toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const dir = mkdtempSync(join(tmpdir(), 'ui-journeys-'));
    writeDemoJourneys(JOURNEYS_DIR, dir, { daySeconds: 2 });
    const { plans } = await loadJourneyDir(dir);
    f = await startApi({ registry: PlanRegistry.of(plans) });
    worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      workflowBundle: workflowBundle(),
      activityDeps: { dataDir: f.dataDir, customers: { client: f.temporal.client, taskQueue: f.taskQueue } },
    });
    running = worker.run();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    worker?.shutdown();
    await running;
    await f?.close();
  });

  async function sendNps(customer: string, firstName: string, score = 10, id = `nps-${customer}`) {
    const res = await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: {
        id,
        type: 'nps.submitted',
        customerId: customer,
        occurredAt: new Date().toISOString(),
        data: { score, comment: score >= 9 ? 'Saved us a week' : 'Too many outages' },
        traits: {
          email: `${firstName.toLowerCase()}@globex.example`,
          firstName,
          segment: 'mid-market',
          healthScore: 90,
          timezone: daytimeZones()[0],
        },
      },
    });
    expect(res.statusCode).toBe(202);
  }

  it('searches by CustomerId, opens the run and reads its summary and current details', async () => {
    await sendNps(customerId, 'Ada');
    await sendNps(otherCustomer, 'Bob');
    const handle = f.temporal.client.workflow.getHandle(workflowId);
    // The run moves on by itself: the demo copy asks 4 s after the NPS answer (in a zone where it is daytime, so
    // the cross-journey quiet hours do not hold it). Wait until the first ask went out.
    const asked = async () => ((await handle.query(journeyStateQuery)) as { attempts?: number }).attempts ?? 0;
    await expect
      .poll(asked, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(1)
      .catch(async (err) => {
        // Say where the run stands, not only that it has not asked.
        throw new Error(`${err.message}\nrun state: ${JSON.stringify(await handle.query(journeyStateQuery))}`);
      });
    await expect
      .poll(async () => (await handle.describe()).typedSearchAttributes.get(JourneyStage), { timeout: 30_000 })
      .toMatch(/^(invite|activate)$/);

    await searchWorkflows(page, uiUrl, 'default', `CustomerId = "${customerId}"`);
    await expect.poll(() => page.getByRole('link', { name: workflowId, exact: true }).count(), { timeout: 30_000 }).toBe(1);
    // The search filtered: the other customer's run is not listed.
    expect(await page.getByRole('link', { name: journeyWorkflowId('nps-promoter-referral', otherCustomer) }).count()).toBe(0);

    await openRun(page, workflowId);
    await openUserMetadata(page);
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toContain(`for ${customerId}`); // the summary
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toMatch(/^(invite|activate) · referral · next: /m); // current details
    expect(await visibleText(page)).toMatch(/asks this cycle\s*1/);
    const text = await visibleText(page);
    expect(text).toContain('NPS promoter');
    // The Current Details panel shows whole in a 1000-px-tall window: its last line (the counts) is inside the
    // panel's frame and the frame inside the window, with nothing cut below it.
    const fit = await panelFit(page, 'asks this cycle');
    expect(fit, 'the Current Details frame').toBeDefined();
    expect(fit!.lastLine).toMatch(/^asks this cycle 1 · referrals 0 · conversions 0 · rewards 0/);
    expect(fit!.lastLineBottom, JSON.stringify(fit)).toBeLessThanOrEqual(fit!.frameHeight);
    expect(fit!.frameBottomInWindow, JSON.stringify(fit)).toBeLessThanOrEqual(fit!.windowHeight);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('filters held runs by Suppressed and JourneyStage, and the run says why it is held', async () => {
    const detractor = `carol-${randomUUID().slice(0, 6)}`;
    const runId = journeyWorkflowId('nps-promoter-referral', detractor);
    // A detractor's answer starts no run; the promoter answer after it does, and the run reads the detractor's hold
    // from customer:<id>: held in Listen, not asked, and marked Suppressed for operators.
    await sendNps(detractor, 'Carol', 3);
    await sendNps(detractor, 'Carol', 10, `nps-${detractor}-again`);
    const handle = f.temporal.client.workflow.getHandle(runId);
    await expect.poll(async () => (await handle.describe()).typedSearchAttributes.get(Suppressed), { timeout: 60_000 }).toBe(true);
    expect((await handle.describe()).typedSearchAttributes.get(JourneyStage)).toBe('listen');

    await searchWorkflows(page, uiUrl, 'default', `Suppressed = true AND JourneyStage = "listen" AND CustomerId = "${detractor}"`);
    await expect.poll(() => page.getByRole('link', { name: runId, exact: true }).count(), { timeout: 30_000 }).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'temporal-ui-suppressed-list.png') });
    // The happy customer's run is not held: the same filter finds nothing for them.
    await searchWorkflows(page, uiUrl, 'default', `Suppressed = true AND CustomerId = "${customerId}"`);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 30_000 }).toMatch(/^\s*0\s+Workflows\b/m);
    expect(await page.getByRole('link', { name: journeyWorkflowId('nps-promoter-referral', customerId) }).count()).toBe(0);

    await searchWorkflows(page, uiUrl, 'default', `Suppressed = true AND JourneyStage = "listen" AND CustomerId = "${detractor}"`);
    await expect.poll(() => page.getByRole('link', { name: runId, exact: true }).count(), { timeout: 30_000 }).toBe(1);
    await openRun(page, runId);
    await openUserMetadata(page);
    await expect
      .poll(() => visibleText(page), { timeout: 30_000 })
      .toMatch(/held: [^\n]*NPS detractor/)
      .catch(async (err) => {
        throw new Error(`${err.message}\npage text:\n${await visibleText(page)}`);
      });
    expect(await visibleText(page)).toMatch(/^listen · next: /m);
  });
});
