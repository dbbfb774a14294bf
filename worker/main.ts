// The worker process: `node --import tsx worker/main.ts`. One build for the dev server, a cluster or
// Temporal Cloud: the connection comes from TEMPORAL_* / temporal.toml (temporal-config.ts), the rest
// from JOURNEY_* (settings.ts). On SIGINT/SIGTERM it stops polling, lets in-flight activities finish
// (up to JOURNEY_WORKER_SHUTDOWN_GRACE_MS) and exits 0.
import { runsWithJemalloc } from './allocator.ts';
import { applyHeapGrowth, describeHeapGrowth } from './heap-growth.ts';
import { coreBridgeBuild, describeCoreBridge } from './core-bridge.ts';
import { NativeConnection } from '@temporalio/worker';
import { createTemporalClient, loadTemporalConfig } from './temporal-config.ts';
import { checkNamespaceAccess, connectClient, connectWhenReachable, exitOnStopWhileWaiting, probeTemporal } from './temporal-connect.ts';
import { AccessWatch } from './access-watch.ts';
import { connectWaitMsFromEnv } from './connect-wait-setting.ts';
import { describePayloadProtection, requirePayloadProtectionInProduction } from './data-converter.ts';
import { unsubscribeSettingsFromEnv } from '../activities/email/unsubscribe-link.ts';
import { loadWorkerSettings } from './settings.ts';
import { installWorkerRuntime } from './runtime.ts';
import { assertSearchAttributes, MissingSearchAttributesError } from './search-attributes.ts';
import { createJourneyWorkers } from './worker.ts';
import { describeStackTraces } from './workflow-stack-traces.ts';
import { bundleJourneyWorkflowsInChild } from './bundle-process.ts';
import { trackingForwarderFromEnv } from '../activities/tracking/webhook-forwarder.ts';
import { customerDefaultsFromEnv } from '../definitions/customer-defaults.ts';

function fail(message: string): never {
  console.error(`worker: ${message}`);
  process.exit(1);
}

let settings;
let customerDefaults;
let config;
let connectWaitMs;
try {
  settings = loadWorkerSettings();
  // The global contact policy (JOURNEY_CONTACT_POLICY) and advocate score weights (JOURNEY_ADVOCATE_SCORE), checked
  // once; every customer workflow this worker's activities start carries them.
  customerDefaults = customerDefaultsFromEnv();
  // A missing or malformed TEMPORAL_PROFILE / temporal.toml, or a malformed JOURNEY_CODEC_KEYS, is one line naming it.
  config = loadTemporalConfig();
  connectWaitMs = connectWaitMsFromEnv(); // JOURNEY_TEMPORAL_CONNECT_WAIT_S: how long to wait for Temporal at start
  // Real sending needs a public https URL for the unsubscribe link in every ask, and a secret to sign it.
  unsubscribeSettingsFromEnv(process.env);
  // And payload encryption: in production, customer data never reaches Temporal's histories in clear.
  requirePayloadProtectionInProduction(config.payloads);
} catch (err) {
  fail((err as Error).message);
}
applyHeapGrowth(settings.heapGrowthPercent);
const metricsUrl = installWorkerRuntime(settings);

// Temporal may not be up yet (a cluster restarting, workers deployed first): wait for it, within the bound, rather
// than exit into a supervisor's restart loop (worker/temporal-connect.ts).
const handBackStopSignals = exitOnStopWhileWaiting('worker');
const waiting = {
  address: config.connectionOptions.address,
  waitMs: connectWaitMs,
  log: (line: string) => console.warn(`worker: ${line}`),
};
// Probed first here too: core words most refusals itself, but against a server that answers HTTP/1 it sometimes says
// only "broken pipe" (now and then: a fresh clone's test met it), which reads as a frontend still starting.
const connection = await connectWhenReachable(
  () => probeTemporal(config.connectionOptions).then(() => NativeConnection.connect(config.connectionOptions)),
  waiting,
).catch((err) => fail(err.message));
// Activities that update the customer's own workflow (contact slots, the reward ledger) need a client.
const clientConnection = await connectWhenReachable(() => connectClient(config.connectionOptions), waiting).catch((err) =>
  fail(err.message),
);
handBackStopSignals();
// Credentials the server accepts may still not be allowed to act in the namespace: say so, naming the settings.
await checkNamespaceAccess(connection.workflowService, config.namespace).catch((err: Error) => fail(err.message));
const client = createTemporalClient(clientConnection, config);

if (!settings.skipSearchAttributeCheck) {
  try {
    await assertSearchAttributes(connection.operatorService, config.namespace);
  } catch (err) {
    if (err instanceof MissingSearchAttributesError) fail(err.message);
    // Some deployments refuse the operator API to a worker's credentials: say so and carry on.
    console.warn(
      `worker: could not list search attributes of "${config.namespace}" (${(err as Error).message}); ` +
        'set JOURNEY_SKIP_SEARCH_ATTRIBUTE_CHECK=1 to silence this check',
    );
  }
}

// Bundled in a child process, so webpack's memory is not the worker's for its whole life (worker/bundle-process.ts).
const failureConverterPath = config.payloads.dataConverter?.failureConverterPath;
const workflowBundle = await bundleJourneyWorkflowsInChild({ failureConverterPath }).catch((err) =>
  fail(`cannot bundle the workflows: ${err.message}`),
);

// customer:<id> on a queue of its own, with its own cache and task slots (worker.ts: createCustomerWorker says why).
// The journeys' worker still runs the customer workflows an earlier version started on the journeys' queue.
const workers = await createJourneyWorkers({
  connection,
  workflowBundle,
  namespace: config.namespace,
  taskQueue: settings.taskQueue,
  customerTaskQueue: config.customerTaskQueue,
  activityDeps: {
    dataDir: settings.dataDir,
    customers: { client, taskQueue: config.customerTaskQueue, profileDefaults: customerDefaults },
  },
  maxConcurrentActivityTaskExecutions: settings.maxConcurrentActivityTaskExecutions,
  maxConcurrentWorkflowTaskExecutions: settings.maxConcurrentWorkflowTaskExecutions,
  maxCachedWorkflows: settings.maxCachedWorkflows,
  maxCachedCustomers: settings.maxCachedCustomers,
  workflowTaskPollers: settings.workflowTaskPollers,
  shutdownGraceMs: settings.shutdownGraceMs,
  dataConverter: config.payloads.dataConverter,
  workflowStackTraces: settings.workflowStackTraces,
}).catch((err) => fail(`cannot create the worker: ${err.message}`));

console.log(`worker: ${describePayloadProtection(config.payloads)}`);
console.log(`worker: malloc: ${runsWithJemalloc() ? 'jemalloc' : "the system's (JOURNEY_WORKER_ALLOCATOR, docs/production.md)"}`);
console.log(`worker: ${describeCoreBridge(coreBridgeBuild())}`);
console.log(`worker: ${describeHeapGrowth(settings.heapGrowthPercent, 'JOURNEY_WORKER_HEAP_GROWTH_PERCENT')}`);
console.log(`worker: workflow stack traces ${describeStackTraces(settings.workflowStackTraces)}`);
console.log(
  `worker: polling task queue "${settings.taskQueue}"` +
    (workers.customers ? ` and "${config.customerTaskQueue}" (customers)` : '') +
    ` in namespace "${config.namespace}" at ${config.connectionOptions.address}` +
    (metricsUrl ? `; metrics at ${metricsUrl}` : ''),
);
// The runtime stops listening once the worker has drained; a late second signal must not kill the process
// while it closes its connections (a supervisor that means it sends SIGKILL).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
// The tracking webhook is fed from this worker's tracking log, beside the journeys, never in their way.
const forwarder = trackingForwarderFromEnv(settings.dataDir, process.env, (line) => console.warn(`worker: ${line}`));
forwarder?.start();
// Credentials that stop being accepted while the worker runs are said, not left to silent failing polls.
const accessWatch = new AccessWatch({
  check: () => checkNamespaceAccess(connection.workflowService, config.namespace, 0),
  intervalMs: settings.accessCheckMs,
  log: (line) => console.error(`worker: ${line}`),
}).start();
try {
  await workers.run(); // resolves once a shutdown signal has drained both workers
} finally {
  accessWatch.stop();
  await forwarder?.stop();
  await clientConnection.close();
  await connection.close();
}
console.log('worker: stopped');
