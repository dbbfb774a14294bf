// Builds the worker that runs journey workflows and activities on one task queue.
import { Worker, bundleWorkflowCode, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { countActivityFailures } from './activity-failures.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** The sandbox's payload converter: a payload no decoder reads becomes a marker the handlers refuse (see the file). */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('./tolerant-payload-converter.ts', import.meta.url));

/** The workflow bundle every journey worker runs: workflows/ with the tolerant payload converter. */
export function bundleJourneyWorkflows(logger?: BundleOptions['logger']) {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, payloadConverterPath: PAYLOAD_CONVERTER_PATH, logger });
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
  /** How long in-flight activities may finish after shutdown is requested (ms); the SDK default is 0. */
  shutdownGraceMs?: number;
}

export async function createJourneyWorker(opts: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleJourneyWorkflows()),
    activities: createActivities(opts.activityDeps),
    // Failed attempts counted (journey_activity_failures) and logged without customer ids, for operators' alerts.
    interceptors: { activity: [countActivityFailures] },
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions,
    // The SDK rejects an explicit undefined here, so the option is only passed when set.
    ...(opts.shutdownGraceMs !== undefined ? { shutdownGraceTime: opts.shutdownGraceMs } : {}),
  });
}
