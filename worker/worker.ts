// Builds the worker that runs journey workflows and activities on one task queue.
import { Worker, bundleWorkflowCode, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { countActivityFailures } from './activity-failures.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** The sandbox's payload converter: a payload no decoder reads becomes a marker the handlers refuse (see the file). */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('./tolerant-payload-converter.ts', import.meta.url));

/** The workflow bundle every journey worker runs: workflows/ with the tolerant payload converter, and the data
 *  converter's failure converter when there is one (with a codec, failure messages the workflow raises are encoded
 *  in the sandbox, where the worker's own converter does not reach).
 *
 *  The workflow modules are preloaded: loaded once into the worker's one V8 context and shared by every run it holds,
 *  where the SDK otherwise loads the whole module tree again for each run it creates (a new run, or one replayed after
 *  its eviction from the cache). So they keep no run's state at module level: what a run counts lives in its own
 *  globals (journey/activities.ts) or its context. The SDK freezes what shared modules export. */
export function bundleJourneyWorkflows(logger?: BundleOptions['logger'], dataConverter?: Pick<DataConverter, 'failureConverterPath'>) {
  return bundleWorkflowCode(journeyBundleOptions(logger, dataConverter));
}

/** The options bundleJourneyWorkflows bundles with (bench/workflow-modules.ts bundles them with and without preloading). */
export function journeyBundleOptions(
  logger?: BundleOptions['logger'],
  dataConverter?: Pick<DataConverter, 'failureConverterPath'>,
): BundleOptions {
  return {
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: [WORKFLOWS_PATH],
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    ...(dataConverter?.failureConverterPath ? { failureConverterPath: dataConverter.failureConverterPath } : {}),
    ...(logger ? { logger } : {}),
  };
}

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  /** A prebuilt bundle (tests build it once, with bundleJourneyWorkflows); otherwise the worker bundles it itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
  /** Workflow task polling (worker/settings.ts: autoscaling unless JOURNEY_WORKER_WORKFLOW_POLLERS says); undefined: the SDK's. */
  workflowTaskPollers?: WorkerOptions['workflowTaskPollerBehavior'];
  /** How long in-flight activities may finish after shutdown is requested (ms); the SDK default is 0. */
  shutdownGraceMs?: number;
  /** The payload codec and failure converter (worker/data-converter.ts); omitted: payloads are stored as they are. */
  dataConverter?: DataConverter;
}

export async function createJourneyWorker(opts: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleJourneyWorkflows(undefined, opts.dataConverter)),
    activities: createActivities(opts.activityDeps),
    // The codec runs here, outside the workflow sandbox: workflow code never sees a key or a ciphertext.
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    // Failed attempts counted (journey_activity_failures) and logged without customer ids, for operators' alerts.
    interceptors: { activity: [countActivityFailures] },
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowTaskPollers ? { workflowTaskPollerBehavior: opts.workflowTaskPollers } : {}),
    // The SDK rejects an explicit undefined here, so the option is only passed when set.
    ...(opts.shutdownGraceMs !== undefined ? { shutdownGraceTime: opts.shutdownGraceMs } : {}),
  });
}
