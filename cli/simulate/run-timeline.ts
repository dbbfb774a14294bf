// Runs one compiled plan for one scripted customer on the time-skipping test server with a real worker and the
// real activities (email → outbox, rewards → ledger, tracking → NDJSON log in a temp folder), and returns what
// happened in workflow time. Shared by `journey simulate` and tests.
import {
  type TrackingRecord,
  CUSTOMER_WORKFLOW_TYPE,
  customerEventSignal,
  customerWorkflowId,
  JOURNEY_WORKFLOW_TYPE,
  journeyEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
  customerStartOptions,
  type CustomerProfileDefaults,
  type JourneyEvent,
  type JourneySnapshot,
} from '../../workflows/contract/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTimeSkippingEnv } from '../../scripts/time-skipping-env.ts';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { listOutbox } from '../../activities/outbox.ts';
import { readTrackingLog } from '../../activities/tracking/ndjson-log.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { WORKFLOWS_PATH } from '../../worker/worker.ts';
import { localParts, zonedTimeToUtc } from '../../workflows/journey/send-window.ts';

const DAY = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A scripted customer: events at day offsets (fractional days allowed) from the start. */
export interface Timeline {
  customerId?: string;
  traits?: Record<string, unknown>;
  /** Start at the next such local time in the customer's zone, e.g. { "weekday": "fri", "time": "23:00" }. */
  startAt?: { weekday?: string; time: string };
  /** Days to keep running after the last event (default 60). */
  runDays?: number;
  events: Array<{ day: number; type: string; data?: Record<string, unknown>; traits?: Record<string, unknown>; id?: string }>;
}

export interface SimulationResult {
  zone: string;
  startMs: number;
  records: TrackingRecord[];
  sent: Array<{ sendKey: string; to: string; template?: string; subject?: string }>;
  /** The run's state at the end, or how it closed when it no longer answers queries. */
  finalState: JourneySnapshot | { ended: string };
}

function nextLocalStart(nowMs: number, zone: string, startAt: NonNullable<Timeline['startAt']>): number {
  const [h, m] = startAt.time.split(':').map(Number);
  for (let d = 0; d <= 8; d++) {
    const p = localParts(nowMs + d * DAY, zone);
    const t = zonedTimeToUtc(p.year, p.month, p.day, h, m, zone);
    const weekday = WEEKDAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
    if (t > nowMs && (!startAt.weekday || startAt.weekday === weekday)) return t;
  }
  throw new Error(`cannot find the next ${startAt.weekday ?? ''} ${startAt.time} in ${zone}`);
}

export async function simulateTimeline(
  plan: CompiledPlan,
  timeline: Timeline,
  opts: {
    testServerPath: string;
    log?: (line: string) => void;
    /** What the customer workflow starts with (contact policy, score weights), as the worker and the API pass it:
     *  `journey simulate` loads it from JOURNEY_CONTACT_POLICY / JOURNEY_ADVOCATE_SCORE. Default: the workflow's shipped policy. */
    customerDefaults?: CustomerProfileDefaults;
  },
): Promise<SimulationResult> {
  const log = opts.log ?? (() => {});
  // The worker's INFO lines would mix with the report on stdout; keep warnings only (to stderr). The Rust core prints
  // its own logs to stdout unless they are forwarded to this logger, hence `forward`.
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => process.stderr.write(`${entry.message}\n`)),
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
    });
  } catch {
    /* already installed */
  }
  const customerId = timeline.customerId ?? 'simulated-customer';
  const zone = String(
    timeline.traits?.timezone ??
      timeline.events.find((e) => e.traits?.timezone)?.traits?.timezone ??
      plan.definition.motions[Object.keys(plan.definition.motions)[0]].invite.sendWindow.defaultTimezone ??
      'UTC',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'journey-simulate-'));
  log('starting the time-skipping test server');
  const env = await createTimeSkippingEnv(opts.testServerPath, { searchAttributes: true });
  try {
    log('bundling the workflows');
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
    });
    const taskQueue = 'simulate';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: { code },
      activities: createActivities({
        dataDir,
        rewardWebhook: null,
        customers: { client: env.client, taskQueue, profileDefaults: opts.customerDefaults },
      }),
    });
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    return await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const startMs = timeline.startAt ? nextLocalStart(now, zone, timeline.startAt) : now;
      await env.sleep(startMs - now);
      const events = [...timeline.events].sort((a, b) => a.day - b.day);
      let n = 0;
      for (const e of events) {
        const at = startMs + Math.round(e.day * DAY);
        const wait = at - (await env.currentTimeMs());
        if (wait > 0) await env.sleep(wait);
        const event: JourneyEvent = {
          id: e.id ?? `sim-${++n}`,
          type: e.type,
          customerId,
          occurredAt: new Date(at).toISOString(),
          data: e.data ?? {},
          traits: { ...(n === 1 || e.id === undefined ? timeline.traits : {}), ...e.traits },
        };
        log(`day ${e.day}: ${e.type}`);
        // As the API does: every event also reaches the customer's own workflow (traits such as the time zone,
        // global suppression), which owns the contact policy the journey asks before every ask.
        await env.client.workflow.signalWithStart(CUSTOMER_WORKFLOW_TYPE, {
          ...customerStartOptions(customerId, taskQueue, opts.customerDefaults),
          signal: customerEventSignal,
          signalArgs: [event],
        });
        await env.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
          workflowId,
          taskQueue,
          args: [{ plan, customerId }],
          signal: journeyEventSignal,
          signalArgs: [event],
        });
      }
      const last = events.length ? startMs + events[events.length - 1].day * DAY : startMs;
      const end = last + (timeline.runDays ?? 60) * DAY;
      const wait = end - (await env.currentTimeMs());
      if (wait > 0) await env.sleep(wait);
      const handle = env.client.workflow.getHandle(workflowId);
      const finalState = await handle.query(journeyStateQuery).catch(async () => ({ ended: (await handle.describe()).status.name }));
      await handle.terminate('simulation over').catch(() => {});
      await env.client.workflow
        .getHandle(customerWorkflowId(customerId))
        .terminate('simulation over')
        .catch(() => {});
      const { records } = await readTrackingLog(dataDir);
      const sent = (await listOutbox(dataDir)).map((m) => ({
        sendKey: m.sendKey,
        to: m.to,
        template: m.templateAlias,
        subject: m.subject,
      }));
      return {
        zone,
        startMs,
        records: records.filter((r) => r.customerId === customerId && r.journeyId === plan.journeyId),
        sent,
        finalState,
      };
    });
  } finally {
    await env.teardown();
  }
}
