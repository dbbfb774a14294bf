// Test harness for the interpreter: a real worker on a real Temporal server (time-skipping or dev), the real
// email activity writing to an outbox in a temp dir, and a contact-slot activity that grants (or refuses as a
// test says) while the customer workflow's own activity is not registered in activities/index.ts.
import {
  JOURNEY_WORKFLOW_TYPE,
  journeyEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
  type ContactSlotDecision,
  type ContactSlotRequest,
  type JourneyEvent,
  type JourneyRunInput,
  type JourneySnapshot,
} from '../../workflows/contract/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import type { RewardWebhookConfig } from '../../activities/rewards/webhook-provider.ts';
import type { CrmWebhookConfig } from '../../activities/crm/webhook-provider.ts';
import { countActivityFailures } from '../../worker/activity-failures.ts';
import { createWithStackTraces, type WorkflowStackTraces } from '../../worker/workflow-stack-traces.ts';
import { listOutbox } from '../../activities/outbox.ts';
import { loadJourneyDir } from '../../definitions/loader.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { uniqueTaskQueue, workflowBundle } from '../support/temporal.ts';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerJourneySearchAttributes, signalWithStartOnTestServer } from '../../scripts/time-skipping-env.ts';

/** The time-skipping server rejects undefined custom search attributes (the workflow task fails); it accepts
 *  AddSearchAttributes, so register the journey's attributes on it exactly as on the dev server. */
export async function createTimeSkippingEnvWithSearchAttributes(
  create: () => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  const env = await create();
  await registerJourneySearchAttributes(env);
  return env;
}

let shipped: CompiledPlan[] | undefined;
export async function shippedPlan(journeyId: string): Promise<CompiledPlan> {
  if (!shipped) {
    const { plans, diagnostics } = await loadJourneyDir();
    if (plans.length === 0) throw new Error(`no shipped journeys compiled: ${JSON.stringify(diagnostics).slice(0, 500)}`);
    shipped = plans;
  }
  const plan = shipped.find((p) => p.journeyId === journeyId);
  if (!plan) throw new Error(`no shipped journey ${journeyId}`);
  return structuredClone(plan);
}

export interface Harness {
  dataDir: string;
  taskQueue: string;
  worker: Worker;
  slotRequests: ContactSlotRequest[];
  /** Decide contact slots; default: always granted. */
  slotPolicy: (req: ContactSlotRequest) => ContactSlotDecision;
  outbox(): ReturnType<typeof listOutbox>;
  handles: WorkflowHandle[];
  /** Run the worker while `fn` runs, then terminate this test's runs: the time-skipping server does not skip
   *  time while another test's run has a workflow task nobody polls for. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * End this workflow with the test's runs too (one the runs started, such as a referred friend's customer:<id>),
   * while the worker still runs. Ended after the worker had stopped, a referred friend's ledger left the time-skipping
   * server skipping no time for the next test in about 1 run in 3 under load (test/reward-faults.test.ts: its later
   * tests' 5-day sleeps never returned); ended here, 16 of 16 runs under the same load passed.
   */
  alsoEnd(workflowId: string): void;
}

export interface HarnessOptions {
  /** With a client, the real contact-slot, reward and tracking activities reach customer:<id> on this task queue. */
  client?: Client;
  /** Replace reserveContactSlot with the test's `slotPolicy` (to script refusals); default: only without a client. */
  scriptedSlots?: boolean;
  /** Send through a Postmark-compatible server (the real postmark client over HTTP) instead of the outbox. */
  postmark?: { serverToken: string; apiUrl: string };
  /** Pay rewards through this webhook (test/rewards/receiver.ts); default: the ledger alone. */
  rewardWebhook?: RewardWebhookConfig;
  /** Owner tasks and referral records through this CRM webhook (test/crm/receiver.ts); default: the built-in provider. */
  crmWebhook?: CrmWebhookConfig;
  /** Take over another harness's task queue and data folder (a second worker after the first one stopped). */
  takeOver?: { taskQueue: string; dataDir: string };
  /** No workflow cache (so no sticky queue): another worker on the task queue can take the run once this one stops. */
  noCache?: boolean;
  /** The workflow threads' stack traces (worker/workflow-stack-traces.ts); default `sdk`, the SDK's own hook. */
  workflowStackTraces?: WorkflowStackTraces;
}

export async function createHarness(connection: NativeConnection, opts: HarnessOptions = {}): Promise<Harness> {
  const dataDir = opts.takeOver?.dataDir ?? mkdtempSync(join(tmpdir(), 'journey-interp-'));
  const taskQueue = opts.takeOver?.taskQueue ?? uniqueTaskQueue('interp');
  const h = {
    dataDir,
    taskQueue,
    slotRequests: [] as ContactSlotRequest[],
    slotPolicy: (): ContactSlotDecision => ({ granted: true }),
  } as unknown as Harness;
  const activities: Record<string, unknown> = {
    ...createActivities({
      dataDir,
      rewardWebhook: opts.rewardWebhook ?? null,
      crmWebhook: opts.crmWebhook ?? null,
      ...(opts.client ? { customers: { client: opts.client, taskQueue } } : {}),
      ...(opts.postmark ? { email: { dataDir, postmark: opts.postmark } } : {}),
    }),
  };
  if (opts.scriptedSlots ?? !opts.client) {
    activities.reserveContactSlot = async (req: ContactSlotRequest) => {
      h.slotRequests.push(req);
      return h.slotPolicy(req);
    };
  }
  const created = await createWithStackTraces(opts.workflowStackTraces ?? 'sdk', () =>
    Worker.create({
      connection,
      namespace: 'default',
      taskQueue,
      workflowBundle: workflowBundle(),
      activities,
      ...(opts.noCache ? { maxCachedWorkflows: 0 } : {}),
      // As the production worker (worker/worker.ts): failed attempts counted in journey_activity_failures.
      interceptors: { activity: [countActivityFailures] },
    }),
  );
  if (!created.applied) throw new Error(`workflowStackTraces ${opts.workflowStackTraces} was not applied to the harness's worker`);
  h.worker = created.value;
  h.outbox = () => listOutbox(dataDir);
  h.handles = [];
  const extra: string[] = [];
  h.alsoEnd = (workflowId) => void extra.push(workflowId);
  h.run = (fn) =>
    h.worker.runUntil(async () => {
      try {
        return await fn();
      } finally {
        // By workflow id, not the handle's run: a run that continued as new lives on in its latest run.
        const customers = opts.client
          ? [...new Set(h.handles.map((x) => x.workflowId.split(':').slice(2).join(':')))].map((c) => `customer:${c}`)
          : [];
        const ids = [...h.handles.map((x) => x.workflowId), ...customers, ...extra];
        const client = h.handles[0]?.client ?? opts.client?.workflow;
        if (client) {
          await Promise.allSettled(ids.map((id) => client.getHandle(id).terminate('test over')));
        }
      }
    });
  return h;
}

let seq = 0;
export function event(
  type: string,
  customerId: string,
  data: Record<string, unknown> = {},
  extra: Partial<JourneyEvent> = {},
): JourneyEvent {
  return { id: `e-${++seq}-${type}`, type, customerId, occurredAt: '2026-01-01T00:00:00Z', data, ...extra };
}

export async function sendEvent(
  client: Client,
  h: Harness,
  plan: CompiledPlan,
  customerId: string,
  e: JourneyEvent,
  opts: { searchAttributes?: boolean; continueAsNewAfter?: number } = {},
): Promise<WorkflowHandleWithSignaledRunId> {
  const input: JourneyRunInput = {
    plan,
    customerId,
    ...(opts.searchAttributes === false ? { searchAttributes: false } : {}),
    ...(opts.continueAsNewAfter !== undefined ? { continueAsNewAfter: opts.continueAsNewAfter } : {}),
  };
  // A run with continueAsNewAfter hands over while events arrive; the test server may refuse a call then
  // (scripts/time-skipping-env.ts), and this sends it again.
  const handle = await signalWithStartOnTestServer(client, undefined, JOURNEY_WORKFLOW_TYPE, {
    workflowId: journeyWorkflowId(plan.journeyId, customerId),
    taskQueue: h.taskQueue,
    args: [input],
    signal: journeyEventSignal,
    signalArgs: [e],
  });
  h.handles.push(client.workflow.getHandle(handle.workflowId));
  return handle;
}

export async function state(handle: WorkflowHandle): Promise<JourneySnapshot> {
  return handle.query(journeyStateQuery);
}

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** The next instant ≥ now with the given UTC weekday (0 = Sunday) and UTC hour. */
export function nextUtc(nowMs: number, weekday: number, hour: number): number {
  const d = new Date(nowMs);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour);
  while (t <= nowMs || new Date(t).getUTCDay() !== weekday) t += DAY;
  return t;
}
