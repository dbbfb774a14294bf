// Builds the worker that runs journey workflows and activities on one task queue.
import { Runtime, Worker, bundleWorkflowCode, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { countActivityFailures } from './activity-failures.ts';
import { createWithStackTraces, type WorkflowStackTraces } from './workflow-stack-traces.ts';

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
  /** The workflow threads' per-promise stack traces (worker/workflow-stack-traces.ts): `on` (the default, formatted
   *  when a query asks), `sdk` (the SDK's own hook) or `off`. */
  workflowStackTraces?: WorkflowStackTraces;
}

export type CustomerWorkerOptions = Omit<JourneyWorkerOptions, 'activityDeps' | 'maxConcurrentActivityTaskExecutions' | 'shutdownGraceMs'>;

/**
 * The worker of the customer workflows (customer:<id>), on a task queue of their own (TemporalConfig.customerTaskQueue)
 * with a cache and task slots of their own. A journey run's first task waits, inside the task, for customer:<id> to
 * answer the query of its start facts (journey/start-facts.ts). On one queue with one cache, a full cache takes a new
 * run in only by evicting its least recently used run, and that eviction waits while the run's own read is in flight:
 * the customer's task that would answer the read is buffered behind the very eviction that waits on it, so the pair
 * wait out the read's 30 s timeout, one after another (bench/scale.ts 100000 on the cluster stopped polling with
 * 136,000 tasks left). Here customer:<id> never waits for a journey run's slot: it runs no activities and holds no
 * task open, so its own cache always evicts at once.
 */
export async function createCustomerWorker(opts: CustomerWorkerOptions): Promise<Worker> {
  return createWorker(await workflowWorkerOptions(opts), opts.workflowStackTraces);
}

/** Worker.create, with the workflow threads' per-promise stack traces as `stackTraces` asks. */
async function createWorker(options: WorkerOptions, stackTraces: WorkflowStackTraces = 'on'): Promise<Worker> {
  const { value, applied } = await createWithStackTraces(stackTraces, () => Worker.create(options));
  if (!applied)
    Runtime.instance().logger.warn(
      `workflow stack traces stay the SDK's own (JOURNEY_WORKER_STACK_TRACES=${stackTraces} not applied): this SDK version does not fit worker/workflow-stack-traces.ts`,
    );
  return value;
}

/** What the journeys' and the customers' workers share: connection, queue, bundle, codec, workflow task slots, cache
 *  and polls. The codec runs here, outside the workflow sandbox: workflow code never sees a key or a ciphertext. The
 *  SDK rejects an explicit undefined for some options, so those are only passed when set. */
async function workflowWorkerOptions(opts: CustomerWorkerOptions): Promise<WorkerOptions> {
  return {
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleJourneyWorkflows(undefined, opts.dataConverter)),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowTaskPollers ? { workflowTaskPollerBehavior: opts.workflowTaskPollers } : {}),
  };
}

/** A process's workers: the journeys' worker and, on the customers' own queue, theirs (as worker/main.ts runs them). */
export interface JourneyWorkers {
  journeys: Worker;
  /** Absent when customerTaskQueue is the journeys' own queue. */
  customers?: Worker;
  /** Runs both until each has stopped; one that fails shuts the other down, and its error is thrown. */
  run(): Promise<void>;
  /** Runs both while fn runs, then stops them (Worker.runUntil for the pair). */
  runUntil<T>(fn: () => Promise<T>): Promise<T>;
  shutdown(): void;
}

/** The journeys' worker on opts.taskQueue, and the customers' worker on customerTaskQueue (createCustomerWorker). The
 *  activities reach customer:<id> on customerTaskQueue, whatever activityDeps.customers says. */
export async function createJourneyWorkers(
  opts: JourneyWorkerOptions & { customerTaskQueue: string; maxCachedCustomers?: number },
): Promise<JourneyWorkers> {
  const workflowBundle = opts.workflowBundle ?? (await bundleJourneyWorkflows(undefined, opts.dataConverter));
  const customerDeps = opts.activityDeps.customers;
  const journeys = await createJourneyWorker({
    ...opts,
    workflowBundle,
    activityDeps: { ...opts.activityDeps, ...(customerDeps ? { customers: { ...customerDeps, taskQueue: opts.customerTaskQueue } } : {}) },
  });
  const customers =
    opts.customerTaskQueue === opts.taskQueue
      ? undefined
      : await createCustomerWorker({
          connection: opts.connection,
          namespace: opts.namespace,
          taskQueue: opts.customerTaskQueue,
          workflowBundle,
          maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions,
          maxCachedWorkflows: opts.maxCachedCustomers ?? opts.maxCachedWorkflows,
          workflowTaskPollers: opts.workflowTaskPollers,
          dataConverter: opts.dataConverter,
          workflowStackTraces: opts.workflowStackTraces,
        });
  const all = customers ? [journeys, customers] : [journeys];
  const shutdown = () => {
    for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const run = async () => {
    const results = await Promise.allSettled(
      all.map((w) =>
        w.run().catch((err) => {
          shutdown();
          throw err;
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const runUntil = async <T>(fn: () => Promise<T>): Promise<T> => {
    const running = run();
    try {
      return await Promise.race([fn(), running.then(() => Promise.reject(new Error('the workers stopped before the work was done')))]);
    } finally {
      shutdown();
      await running;
    }
  };
  return { journeys, customers, run, runUntil, shutdown };
}

export async function createJourneyWorker(opts: JourneyWorkerOptions): Promise<Worker> {
  return createWorker(
    {
      ...(await workflowWorkerOptions(opts)),
      activities: createActivities(opts.activityDeps),
      // Failed attempts counted (journey_activity_failures) and logged without customer ids, for operators' alerts.
      interceptors: { activity: [countActivityFailures] },
      maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
      // The SDK rejects an explicit undefined here, so the option is only passed when set.
      ...(opts.shutdownGraceMs !== undefined ? { shutdownGraceTime: opts.shutdownGraceMs } : {}),
    },
    opts.workflowStackTraces,
  );
}
