// The worker's own knobs, from the environment (the connection itself comes from temporal-config.ts).
// Every value is checked here so a typo fails at start with the variable's name, not deep in the SDK.
import { heapGrowthPercent } from './heap-growth.ts';
import { workflowStackTracesOf, type WorkflowStackTraces } from './workflow-stack-traces.ts';

export interface WorkerSettings {
  taskQueue: string;
  /** Most activities (emails, rewards, tracking writes) this process runs at once. */
  maxConcurrentActivityTaskExecutions: number;
  /** Most workflow tasks this process runs at once. */
  maxConcurrentWorkflowTaskExecutions: number;
  /** Workflow runs kept in memory between their tasks (sticky cache); undefined: the SDK's default, which grows with
   *  the heap limit (about 2,300 on a 4 GB heap). The main lever on a worker's memory when many runs wait. */
  maxCachedWorkflows?: number;
  /** Customer workflows (customer:<id>) kept in memory by the worker of their own task queue (worker/worker.ts:
   *  createCustomerWorker); undefined: as maxCachedWorkflows. */
  maxCachedCustomers?: number;
  /** How the worker polls for workflow tasks (JOURNEY_WORKER_WORKFLOW_POLLERS): by default the number of polls follows
   *  the server's backlog hints (the SDK's autoscaling, 1 to 100); `autoscaling:N` caps it at N per queue; a number N
   *  is the SDK's fixed maximum, whose own default (10) keeps only 2 polls on the shared queue, which is where every
   *  evicted run's task waits. */
  workflowTaskPollers: { type: 'autoscaling'; maximum?: number; initial?: number } | { type: 'simple-maximum'; maximum: number };
  /** Port of the Prometheus endpoint (`/metrics`) on 127.0.0.1 or JOURNEY_WORKER_METRICS_HOST; undefined: no endpoint. */
  metricsPort?: number;
  metricsHost: string;
  /** How long in-flight activities may run on after SIGINT/SIGTERM before they are cancelled. */
  shutdownGraceMs: number;
  /** How often the running worker asks whether Temporal still accepts its credentials (worker/access-watch.ts); 0: never. */
  accessCheckMs: number;
  /** Skip the search-attribute check (only for namespaces the worker may not inspect). */
  skipSearchAttributeCheck: boolean;
  dataDir: string;
  /** The SDK's log level (TRACE, DEBUG, INFO, WARN, ERROR), from JOURNEY_LOG_LEVEL like the API's. */
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** The least severe line the SDK's Rust core hands to that logger (JOURNEY_WORKER_CORE_LOG_LEVEL, default WARN):
   *  core's INFO and DEBUG lines (polls, task completions, evictions) are for tracing a fault, not for every day. A
   *  line still reaches the output only at logLevel or above. */
  coreLogLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** The workflow threads' stack trace of every promise, for the Temporal UI's "Stack Trace" tab
   *  (JOURNEY_WORKER_STACK_TRACES: on, formatted when asked; sdk, the SDK's own hook; off): worker/workflow-stack-traces.ts
   *  says what each costs. */
  workflowStackTraces: WorkflowStackTraces;
  /** How far the heap grows after each full garbage collection, in percent of the live heap
   *  (JOURNEY_WORKER_HEAP_GROWTH_PERCENT; 0: V8's own): worker/heap-growth.ts says why. */
  heapGrowthPercent: number;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export class WorkerSettingsError extends Error {}

/** A check shared with the API, its error as the worker's own. */
function settingOf<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new WorkerSettingsError((err as Error).message);
  }
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new WorkerSettingsError(`${name}=${JSON.stringify(raw)} is not a whole number >= ${min}`);
  }
  return value;
}

/** A number of workflow task polls: at least 2 (one per queue, the shared and the sticky one). */
function pollerCount(raw: string, whole = raw): number {
  const value = Number(raw);
  if (!raw || !Number.isInteger(value) || value < 2) {
    throw new WorkerSettingsError(
      `JOURNEY_WORKER_WORKFLOW_POLLERS=${JSON.stringify(whole)} is neither "autoscaling", "autoscaling:N" nor a whole number N, with N >= 2`,
    );
  }
  return value;
}

function logLevelOf(env: NodeJS.ProcessEnv, name: string, fallback: string): WorkerSettings['logLevel'] {
  const level = (env[name] || fallback).toUpperCase();
  const logLevel = level === 'FATAL' ? 'ERROR' : level;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new WorkerSettingsError(`${name}=${JSON.stringify(env[name])} is not one of ${LOG_LEVELS.join(', ').toLowerCase()}`);
  }
  return logLevel as WorkerSettings['logLevel'];
}

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const metricsPort = env.JOURNEY_WORKER_METRICS_PORT ? positiveInt(env, 'JOURNEY_WORKER_METRICS_PORT', 0) : undefined;
  if (metricsPort !== undefined && metricsPort > 65535) {
    throw new WorkerSettingsError(`JOURNEY_WORKER_METRICS_PORT=${metricsPort} is not a port (1-65535)`);
  }
  const logLevel = logLevelOf(env, 'JOURNEY_LOG_LEVEL', 'info');
  const maxCachedWorkflows = env.JOURNEY_WORKER_MAX_CACHED_WORKFLOWS
    ? positiveInt(env, 'JOURNEY_WORKER_MAX_CACHED_WORKFLOWS', 0, 2)
    : undefined;
  const pollers = env.JOURNEY_WORKER_WORKFLOW_POLLERS;
  const autoscalingMax = pollers?.startsWith('autoscaling:') ? pollerCount(pollers.slice('autoscaling:'.length), pollers) : undefined;
  const workflowTaskPollers: WorkerSettings['workflowTaskPollers'] =
    pollers === undefined || pollers === '' || pollers === 'autoscaling'
      ? { type: 'autoscaling' }
      : autoscalingMax !== undefined
        ? // The SDK starts with 5 polls; never more than the maximum.
          { type: 'autoscaling', maximum: autoscalingMax, initial: Math.min(5, autoscalingMax) }
        : { type: 'simple-maximum', maximum: pollerCount(pollers) };
  return {
    logLevel,
    coreLogLevel: logLevelOf(env, 'JOURNEY_WORKER_CORE_LOG_LEVEL', 'warn'),
    workflowTaskPollers,
    workflowStackTraces: settingOf(() => workflowStackTracesOf(env, 'JOURNEY_WORKER_STACK_TRACES')),
    heapGrowthPercent: settingOf(() => heapGrowthPercent(env, 'JOURNEY_WORKER_HEAP_GROWTH_PERCENT')),
    taskQueue: env.JOURNEY_TASK_QUEUE || 'journeys',
    maxConcurrentActivityTaskExecutions: positiveInt(env, 'JOURNEY_WORKER_MAX_ACTIVITIES', 100),
    maxConcurrentWorkflowTaskExecutions: positiveInt(env, 'JOURNEY_WORKER_MAX_WORKFLOW_TASKS', 40),
    maxCachedWorkflows,
    maxCachedCustomers: env.JOURNEY_WORKER_MAX_CACHED_CUSTOMERS
      ? positiveInt(env, 'JOURNEY_WORKER_MAX_CACHED_CUSTOMERS', 0, 2)
      : maxCachedWorkflows,
    metricsPort,
    metricsHost: env.JOURNEY_WORKER_METRICS_HOST || '127.0.0.1',
    shutdownGraceMs: positiveInt(env, 'JOURNEY_WORKER_SHUTDOWN_GRACE_MS', 30_000, 0),
    accessCheckMs: positiveInt(env, 'JOURNEY_WORKER_ACCESS_CHECK_S', 60, 0) * 1000,
    skipSearchAttributeCheck: env.JOURNEY_SKIP_SEARCH_ATTRIBUTE_CHECK === '1',
    dataDir: env.JOURNEY_DATA_DIR || 'data',
  };
}
