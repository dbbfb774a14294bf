// Runs one compiled plan for one scripted customer: the customer's timeline becomes recorded events and goes through
// the replay engine `journey backtest` uses (cli/replay/engine.ts: real interpreter, real activities writing to the
// output folder or to a temporary folder removed at the end, events routed as the API routes them), and returns
// what happened in workflow time, read from the tracking log while the runs still live. Shared by `journey
// simulate`, the backtest tests and bench/simulate.ts.
import {
  journeyStateQuery,
  journeyWorkflowId,
  type CustomerProfileDefaults,
  type JourneyEvent,
  type JourneySnapshot,
} from '../../workflows/contract/index.ts';
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { localParts, zonedTimeToUtc } from '../../workflows/journey/send-window.ts';
import { replay, type SentMessage } from '../replay/engine.ts';

const DAY = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A scripted customer: events at day offsets (fractional days allowed) from the start. */
export interface Timeline {
  customerId?: string;
  traits?: Record<string, unknown>;
  /** Start at the next such local time in the customer's zone, e.g. { "weekday": "fri", "time": "23:00" }. */
  startAt?: { weekday?: string; time: string };
  /** Or start at this instant (ISO date-time, not in the past): how a recorded customer's timeline replays as recorded. */
  start?: string;
  /** Days to keep running after the last event (default 60). */
  runDays?: number;
  /** `customerId`: an event about someone else (a referred lead's deal naming data.referrerId); default the timeline's customer. */
  events: Array<{
    day: number;
    type: string;
    data?: Record<string, unknown>;
    traits?: Record<string, unknown>;
    id?: string;
    customerId?: string;
  }>;
}

export interface SimulationResult {
  zone: string;
  startMs: number;
  records: TrackingRecord[];
  sent: SentMessage[];
  /** The run's state at the end, or how it closed when it no longer answers queries. */
  finalState: JourneySnapshot | { ended: string };
  /** Where the outbox and the tracking log are, when kept (`outDir`). */
  outDir?: string;
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

/** The timeline's events as the API would have taken them, starting at `startMs` (the first one carries the traits). */
export function timelineEvents(timeline: Timeline, customerId: string, startMs: number): JourneyEvent[] {
  let n = 0;
  return [...timeline.events]
    .sort((a, b) => a.day - b.day)
    .map((e) => {
      n++;
      return {
        id: e.id ?? `sim-${n}`,
        type: e.type,
        customerId: e.customerId ?? customerId,
        occurredAt: new Date(startMs + Math.round(e.day * DAY)).toISOString(),
        data: e.data ?? {},
        traits: { ...(n === 1 || e.id === undefined ? timeline.traits : {}), ...e.traits },
      };
    });
}

export function timelineZone(plan: CompiledPlan, timeline: Timeline): string {
  return String(
    timeline.traits?.timezone ??
      timeline.events.find((e) => e.traits?.timezone)?.traits?.timezone ??
      plan.definition.motions[Object.keys(plan.definition.motions)[0]].invite.sendWindow.defaultTimezone ??
      'UTC',
  );
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
    /** Keep the outbox and the tracking log in this folder; default: a temporary folder, removed at the end. */
    outDir?: string;
  },
): Promise<SimulationResult> {
  const customerId = timeline.customerId ?? 'simulated-customer';
  const zone = timelineZone(plan, timeline);
  if (opts.outDir) mkdirSync(opts.outDir, { recursive: true });
  const dataDir = opts.outDir ?? mkdtempSync(join(tmpdir(), 'journey-simulate-'));
  try {
    let startMs = 0;
    let finalState: SimulationResult['finalState'] = { ended: 'unknown' };
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    const { records, sent } = await replay(
      {
        plans: [plan],
        dataDir,
        testServerPath: opts.testServerPath,
        customerDefaults: opts.customerDefaults,
        log: opts.log,
        async atEnd(env) {
          const handle = env.client.workflow.getHandle(workflowId);
          finalState = await handle.query(journeyStateQuery).catch(async () => ({
            ended: await handle.describe().then(
              (d) => d.status.name,
              () => 'never started (no event opened a cycle)',
            ),
          }));
        },
      },
      (now) => {
        if (timeline.start !== undefined) {
          startMs = Date.parse(timeline.start);
          if (Number.isNaN(startMs)) throw new Error(`"start": "${timeline.start}" is not an ISO date-time`);
          if (startMs < now) throw new Error(`"start": ${timeline.start} is in the past; a simulation starts now or later`);
        } else startMs = timeline.startAt ? nextLocalStart(now, zone, timeline.startAt) : now;
        const events = timelineEvents(timeline, customerId, startMs);
        const last = events.length ? Date.parse(events[events.length - 1].occurredAt) : startMs;
        return { customers: new Map([[customerId, events]]), untilMs: last + (timeline.runDays ?? 60) * DAY };
      },
    );
    return {
      zone,
      startMs,
      records: records.filter((r) => r.customerId === customerId && r.journeyId === plan.journeyId),
      sent,
      finalState,
      outDir: opts.outDir,
    };
  } finally {
    if (!opts.outDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
