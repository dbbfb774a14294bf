// Reproduces the workflow tasks the SDK drops (bench/README.md, scale, stop 42): N known customers (a passive NPS answer
// each starts customer:<id>) answer NPS 10 at once, C at a time, to workers caching BENCH_DROPS_CACHE journey runs and BENCH_DROPS_CUSTOMER_CACHE
// customers. Each answer starts an nps-promoter-referral run whose first task reads the customer's facts with a local
// activity; a full cache evicts some runs mid-read and core never answers their task, so the server times it out
// after 10 s. Prints how many runs had a WorkflowTaskTimedOut, and how many of those read their facts in the task.
// Its own dev server (in memory), worker and API (in process), on free ports; stopped at the end. Bounded: N ≤ 1000.
// Run: eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/start-facts-drops.ts [N] [C]
//      BENCH_DROPS_CACHE (5) and BENCH_DROPS_CUSTOMER_CACHE (5): the journeys' and the customers' caches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../scripts/dev-server.ts';
import { startBenchServer } from './bench-server.ts';
import { createJourneyWorkers } from '../worker/worker.ts';
import { customerTaskQueueOf } from '../worker/temporal-config.ts';
import { buildApi } from '../api/server.ts';
import { parseApiKeys } from '../api/auth.ts';
import { PlanRegistry } from '../api/registry.ts';
import { loadJourneyDir } from '../definitions/loader.ts';
import {
  hadTimedOutTask,
  npsPoster,
  promoterRunHistories,
  promotersAnswerAsKnownCustomers,
  readFactsInTask,
} from '../test/support/known-promoters.ts';

const N = Math.max(1, Math.min(1000, Math.floor(Number(process.argv[2] ?? 150)) || 150));
const C = Math.max(1, Math.min(64, Math.floor(Number(process.argv[3] ?? 16)) || 16));
const CACHE = Math.max(1, Number(process.env.BENCH_DROPS_CACHE ?? 5));
const CCACHE = Math.max(1, Number(process.env.BENCH_DROPS_CUSTOMER_CACHE ?? 5));
const cliPath = process.env.TEMPORAL_CLI_PATH;
if (!cliPath) {
  console.error('TEMPORAL_CLI_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh cli)"  first');
  process.exit(2);
}

// The SDK's own lines stay quiet; core still prints its "SDK bug" line once for each task it drops.
Runtime.install({ logger: new DefaultLogger('ERROR', () => undefined) });
const dataDir = mkdtempSync(join(tmpdir(), 'bench-start-facts-drops-'));
const stops: Array<() => Promise<unknown>> = [];
try {
  const { server, connection, workerConnection } = await startBenchServer(
    { cliPath, port: await freePort(), uiPort: await freePort() },
    stops,
  );
  const client = new Client({ connection, namespace: server.namespace });
  const taskQueue = `drops-${randomUUID().slice(0, 8)}`;
  const customerTaskQueue = customerTaskQueueOf(taskQueue);
  const workers = await createJourneyWorkers({
    connection: workerConnection,
    namespace: server.namespace,
    taskQueue,
    customerTaskQueue,
    maxCachedWorkflows: CACHE,
    maxCachedCustomers: CCACHE,
    activityDeps: { dataDir, rewardWebhook: null, customers: { client, taskQueue: customerTaskQueue } },
  });
  const running = workers.run();
  stops.unshift(async () => {
    workers.shutdown();
    await running;
  });
  const registry = new PlanRegistry(() => loadJourneyDir());
  if (!(await registry.reload()).applied) throw new Error('the shipped journeys do not compile');
  const api = await buildApi({ client, taskQueue, customerTaskQueue, apiKeys: parseApiKeys('bench-key:ingest'), registry, dataDir });
  stops.unshift(() => api.close());
  const customers = Array.from({ length: N }, (_, i) => `drops-${taskQueue}-${i}`);
  console.log(`${N} known customers answer 10 at once, ${C} at a time; caches: journeys ${CACHE}, customers ${CCACHE}`);
  // 5 s for their customer workflows to take the passive answers.
  await promotersAnswerAsKnownCustomers(npsPoster(api, 'bench-key'), customers, C, 5000);
  await new Promise((r) => setTimeout(r, 30_000)); // a dropped task times out after 10 s and is dispatched again
  const histories = await promoterRunHistories(client, customers);
  const timedOut = histories.filter(hadTimedOutTask).length;
  const readInTask = histories.filter(readFactsInTask).length;
  const both = histories.filter((h) => hadTimedOutTask(h) && readFactsInTask(h)).length;
  console.log(
    `runs with a workflow task that timed out: ${timedOut} of ${N}; runs that read the facts in their task: ${readInTask}; both: ${both}`,
  );
} finally {
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  rmSync(dataDir, { recursive: true, force: true });
}
