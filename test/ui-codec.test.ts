// The operator reads an encrypted run in the Temporal UI, in Debian's Chromium, exactly as `npm start` wires it: a
// dev server started with --ui-codec-endpoint pointing at the API's codec door (/codec/ui/<token>), the worker and
// the API encrypting with JOURNEY_CODEC_KEYS. Temporal stores only ciphertext (codec-devserver.test.ts proves it);
// the UI, through the codec endpoint, shows the run's summary and the customer's address and name in clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { JOURNEYS_DIR, loadJourneyDir } from '../definitions/loader.ts';
import { PlanRegistry } from '../api/registry.ts';
import { parseApiKeys } from '../api/auth.ts';
import { buildApi } from '../api/server.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { createTemporalClient } from '../worker/temporal-config.ts';
import { payloadProtectionFromEnv } from '../worker/data-converter.ts';
import { generateCodecKey } from '../worker/payload-codec.ts';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server.ts';
import { writeDemoJourneys } from '../scripts/demo/demo-journeys.ts';
import { journeyStateQuery, journeyWorkflowId } from '../workflows/contract/index.ts';
import { secretCustomer, sendPromoterAnswer } from './codec/support.ts';
import { KEYS } from './api/support.ts';
import { uniqueTaskQueue, workflowBundle } from './support/temporal.ts';
import { waitFor } from './support/wait.ts';
import { launchChromium } from './ui/browser.ts';
import { openUserMetadata, visibleText } from './ui/temporal-ui.ts';

// UPDATE_DOC_SCREENSHOTS=1 replaces the one in docs/images (docs/security.md), as test/ui.test.ts does.
const SCREENSHOT = join(
  process.cwd(),
  ...(process.env.UPDATE_DOC_SCREENSHOTS === '1' ? ['docs', 'images'] : ['test', '.artifacts']),
  'temporal-ui-decoded.png',
);

describe('the Temporal UI decodes encrypted runs through the API codec endpoint', () => {
  let server: DevServer;
  let connection: Connection;
  let workerConnection: NativeConnection;
  let api: Awaited<ReturnType<typeof buildApi>>;
  let worker: Worker;
  let running: Promise<void>;
  let browser: Browser;
  let page: Page;
  const c = secretCustomer();
  const workflowId = journeyWorkflowId('nps-promoter-referral', c.customerId);
  const payloads = payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: generateCodecKey('ui1') });

  beforeAll(async () => {
    if (!process.env.TEMPORAL_CLI_PATH) throw new Error('TEMPORAL_CLI_PATH is not set: run the suite with npm test');
    const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const uiToken = randomBytes(24).toString('hex');
    server = await startDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH,
      port,
      uiPort,
      uiCodecEndpoint: `http://127.0.0.1:${apiPort}/codec/ui/${uiToken}`,
    });
    connection = await Connection.connect({ address: server.address });
    workerConnection = await NativeConnection.connect({ address: server.address });
    const client = createTemporalClient(connection, { namespace: 'default', payloads });
    const journeys = mkdtempSync(join(tmpdir(), 'ui-codec-journeys-'));
    writeDemoJourneys(JOURNEYS_DIR, journeys, { daySeconds: 2 });
    const dataDir = mkdtempSync(join(tmpdir(), 'ui-codec-data-'));
    const taskQueue = uniqueTaskQueue('ui-codec');
    api = await buildApi({
      client,
      taskQueue,
      apiKeys: parseApiKeys(KEYS),
      registry: PlanRegistry.of((await loadJourneyDir(journeys)).plans),
      dataDir,
      codec: { codec: payloads.codec, uiToken, corsOrigins: [server.uiUrl] },
    });
    await api.listen({ host: '127.0.0.1', port: apiPort });
    worker = await createJourneyWorker({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: workflowBundle(),
      dataConverter: payloads.dataConverter,
      activityDeps: { dataDir, customers: { client, taskQueue } },
    });
    running = worker.run();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    worker?.shutdown();
    await running;
    await api?.close();
    await workerConnection?.close();
    await connection?.close();
    await server?.stop();
  });

  it("shows the run's summary and the customer's address and name, decoded", async () => {
    await sendPromoterAnswer(api, c);
    const client = createTemporalClient(connection, { namespace: 'default', payloads });
    const handle = client.workflow.getHandle(workflowId);
    await waitFor(
      'the first ask',
      async () => ((await handle.query(journeyStateQuery)) as { attempts?: number }).attempts ?? 0,
      60_000,
      500,
    );
    const { runId } = await handle.describe();

    await page.goto(`${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
    // The run's input, decoded: the plan as JSON, not a base64 blob of ciphertext.
    await expect
      .poll(() => page.getByTestId('input-and-result').innerText(), { timeout: 30_000 })
      .toContain('"journeyId": "nps-promoter-referral"');
    // The customer's answer (a signal): expanded, it shows the address and the name the API sealed.
    await page.getByText('Workflow Execution Signaled').last().click();
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toContain(c.email);
    const text = await visibleText(page);
    expect(text).toContain(c.firstName);
    expect(text).not.toContain('binary/encrypted');
    await page.getByText(c.email).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT });
    // The run's summary (user metadata, encrypted like every payload) reads in clear too.
    await openUserMetadata(page);
    await expect.poll(() => visibleText(page), { timeout: 30_000 }).toContain(`for ${c.customerId}`);
  });
});
