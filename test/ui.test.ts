// The operator's view, checked in a real browser: the Temporal UI of the test run's dev server, in
// Debian's Chromium. A journey run is started, found by CustomerId, opened, and its summary and
// details are read as an operator reads them. The screenshot goes to docs/images for the operator docs.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../worker/worker.ts';
import { CustomerId, JourneyStage } from '../worker/search-attributes.ts';
import { connectDevServer, uniqueTaskQueue, workflowBundle, type DevServerClients } from './support/temporal.ts';
import { launchChromium } from './ui/browser.ts';
import { openRun, openUserMetadata, searchWorkflows, visibleText } from './ui/temporal-ui.ts';

const SCREENSHOT = join(process.cwd(), 'docs', 'images', 'temporal-ui-run.png');

describe('an operator finds a customer\'s run in the Temporal UI', () => {
  let temporal: DevServerClients;
  let worker: Worker;
  let running: Promise<void>;
  let browser: Browser;
  let page: Page;
  const taskQueue = uniqueTaskQueue('ui');
  const customerId = `ui-${randomUUID().slice(0, 8)}`;
  const workflowId = `journey:ui-check:${customerId}`;

  beforeAll(async () => {
    temporal = await connectDevServer();
    worker = await createJourneyWorker({
      connection: temporal.workerConnection, namespace: 'default', taskQueue,
      activityDeps: { dataDir: mkdtempSync(join(tmpdir(), 'journey-ui-')) }, workflowBundle: workflowBundle(),
    });
    running = worker.run();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    worker?.shutdown();
    await running;
    await temporal?.close();
  });

  it('searches by CustomerId, opens the run and reads its summary and details', async () => {
    await temporal.client.workflow.start('scaffoldJourney', {
      workflowId, taskQueue,
      args: [{ journeyId: 'ui-check', customerId, firstAskDelay: '1 hour', subject: 'Thanks!' }],
      typedSearchAttributes: [{ key: CustomerId, value: customerId }, { key: JourneyStage, value: 'listen' }],
      staticSummary: `UI check journey · ${customerId}`,
      staticDetails: 'Waiting in **Listen** for a delight signal.',
    });
    // Visibility is eventually consistent: wait until the list query sees the run, as the UI will.
    await expect.poll(async () => (await temporal.client.workflow.count(`CustomerId = "${customerId}"`)).count, { timeout: 30_000 }).toBe(1);

    await searchWorkflows(page, inject('temporalUiUrl'), 'default', `CustomerId = "${customerId}"`);
    await expect.poll(() => page.getByRole('link', { name: workflowId, exact: true }).count(), { timeout: 30_000 }).toBe(1);
    await openRun(page, workflowId);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 30_000 }).toContain(workflowId);

    await openUserMetadata(page);
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toContain(`UI check journey · ${customerId}`);
    expect(await visibleText(page)).toMatch(/Waiting in\s+Listen/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
