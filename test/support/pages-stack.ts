// What a page test in Chromium stands on: the real API listening on a free port (its own dev server, test/api/support.ts),
// demo copies of the shipped journeys (one day = 2 s, so asks go out in seconds), a real worker whose emails carry
// links back to this API (signed with the dev secret the API verifies with), and Debian's Chromium.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { JOURNEYS_DIR, loadJourneyDir } from '../../definitions/loader.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { PagesConfig } from '../../definitions/pages.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { createJourneyWorker } from '../../worker/worker.ts';
import { DEV_UNSUBSCRIBE_SECRET } from '../../activities/email/unsubscribe-link.ts';
import { writeDemoJourneys } from '../../scripts/demo/demo-journeys.ts';
import { startApi, type ApiFixture } from '../api/support.ts';
import { workflowBundle } from './temporal.ts';
import { launchChromium } from '../ui/browser.ts';
import type { CrmWebhookConfig } from '../../activities/crm/webhook-provider.ts';

export interface PagesStack {
  f: ApiFixture;
  /** The API's base URL, as links in emails carry it. */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** `adjustPlans`: changes to the compiled demo plans before the API serves them (e.g. a longer owner-task deadline);
 *  `crmWebhook`: the worker's CRM provider is the webhook (else the built-in email to the owner). */
export async function startPagesStack(
  opts: { pages?: PagesConfig; adjustPlans?: (plans: CompiledPlan[]) => void; crmWebhook?: CrmWebhookConfig } = {},
): Promise<PagesStack> {
  const dir = mkdtempSync(join(tmpdir(), 'pages-journeys-'));
  writeDemoJourneys(JOURNEYS_DIR, dir, { daySeconds: 2 });
  const { plans } = await loadJourneyDir(dir);
  opts.adjustPlans?.(plans);
  // The page waits for Temporal's answer (the tests check it: thanks, 410, one referral), however busy the machine.
  const f = await startApi({ registry: PlanRegistry.of(plans), referralPageWaitMs: 10_000, ...(opts.pages ? { pages: opts.pages } : {}) });
  await f.api.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(f.api.server.address() as AddressInfo).port}`;
  const worker = await createJourneyWorker({
    connection: f.temporal.workerConnection,
    namespace: 'default',
    taskQueue: f.taskQueue,
    workflowBundle: workflowBundle(),
    activityDeps: {
      dataDir: f.dataDir,
      customers: { client: f.temporal.client, taskQueue: f.taskQueue },
      ...(opts.crmWebhook ? { crmWebhook: opts.crmWebhook } : {}),
      email: {
        dataDir: f.dataDir,
        unsubscribe: { publicUrl: base, secret: DEV_UNSUBSCRIBE_SECRET, mailbox: 'unsubscribe@globex.example' },
      },
    },
  });
  const running = worker.run();
  const stop = async () => {
    worker.shutdown();
    await running;
    await f.close();
  };
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    f,
    base,
    browser,
    async close() {
      await browser.close();
      await stop();
    },
  };
}
