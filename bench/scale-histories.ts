// Workflow tasks as the server recorded them, from the histories of a sample of runs: how long each waited on a queue
// (scheduled → started) and how long it was out with a worker (started → answered, or → timed out). The workers' own
// metric (workflow_task_execution_latency, bench/scale-measure.ts) starts only once the SDK's core hands the task to
// its run: the time a task waits inside the worker before that (for room in the workflow cache, behind a task of the
// same run) and the answer's trip back to the server are in these figures and not in the worker's.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto, { type temporal } from '@temporalio/proto';
import { pct } from './scale-measure.ts';

const { EventType, TaskQueueKind, TimeoutType } = proto.temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Events a task writes (its commands) or that are written with a later one: none of them is why a task is scheduled. */
const NOT_A_CAUSE = new Set<number>([
  EventType.EVENT_TYPE_MARKER_RECORDED,
  EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_TIMER_CANCELED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
  EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
]);

export interface HistoryTaskTimes {
  runs: number;
  /** Scheduled → started, by the queue the task was scheduled on (normal: the shared queue; sticky: one worker's). */
  queueWaitMs: { normal: number[]; sticky: number[] };
  /** Started → answered, for tasks a worker answered in time. */
  outMs: number[];
  /** A task that no worker took from its sticky queue within its schedule-to-start timeout. */
  stickyUntaken: number;
  /** A task a worker took and did not answer within the start-to-close timeout (10 s by default). */
  startedNotAnswered: number;
  failed: number;
  /** The tasks that timed out after a worker took them, by what the task was for: the history events recorded since
   *  the run's previous task was answered, its commands left out (a signal, an activity's result, a timer...), and the
   *  queue it was taken from. */
  notAnsweredFor: Record<string, number>;
  /** The first few of those tasks, to read: the run, the task's scheduled event id, its queue wait and its timeout. */
  notAnsweredExamples: string[];
}

export const emptyHistoryTaskTimes = (): HistoryTaskTimes => ({
  runs: 0,
  queueWaitMs: { normal: [], sticky: [] },
  outMs: [],
  stickyUntaken: 0,
  startedNotAnswered: 0,
  failed: 0,
  notAnsweredFor: {},
  notAnsweredExamples: [],
});

const EXAMPLES = 10;

/** Adds one run's workflow tasks to `into`; `run` names it in the examples of tasks not answered. */
export function addWorkflowTasks(into: HistoryTaskTimes, events: readonly HistoryEvent[], run = '?'): HistoryTaskTimes {
  const scheduled = new Map<number, { at: number; sticky: boolean }>();
  const started = new Map<number, number>();
  /** Why each task was scheduled: the events since the previous task ended, and its queue. */
  const purpose = new Map<number, string>();
  let since: string[] = [];
  into.runs++;
  for (const e of events) {
    const id = Number(e.eventId);
    const at = tsToMs(e.eventTime);
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        scheduled.set(id, {
          at,
          sticky: e.workflowTaskScheduledEventAttributes?.taskQueue?.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY,
        });
        purpose.set(
          id,
          `${[...new Set(since)].join('+') || 'no new event (a retry, or an update)'} on the ${scheduled.get(id)!.sticky ? 'sticky' : 'shared'} queue`,
        );
        since = [];
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const s = scheduled.get(Number(e.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (s) into.queueWaitMs[s.sticky ? 'sticky' : 'normal'].push(at - s.at);
        started.set(id, at);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const from = started.get(Number(e.workflowTaskCompletedEventAttributes?.startedEventId));
        if (from !== undefined) into.outMs.push(at - from);
        since = [];
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        if (e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) into.stickyUntaken++;
        else {
          into.startedNotAnswered++;
          const scheduledId = Number(e.workflowTaskTimedOutEventAttributes?.scheduledEventId);
          const key = purpose.get(scheduledId) ?? 'unknown';
          into.notAnsweredFor[key] = (into.notAnsweredFor[key] ?? 0) + 1;
          if (into.notAnsweredExamples.length < EXAMPLES) {
            const startedId = Number(e.workflowTaskTimedOutEventAttributes?.startedEventId);
            const s = scheduled.get(scheduledId);
            const st = started.get(startedId);
            into.notAnsweredExamples.push(
              `${run} task ${scheduledId}: scheduled ${s ? new Date(s.at).toISOString() : '?'}, started ${st !== undefined && s ? `+${((st - s.at) / 1000).toFixed(2)} s` : '?'}, timed out +${st !== undefined ? ((at - st) / 1000).toFixed(2) : '?'} s after`,
            );
          }
        }
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        into.failed++;
        break;
      default:
        if (e.eventType != null && !NOT_A_CAUSE.has(e.eventType))
          since.push(EventType[e.eventType]?.replace(/^EVENT_TYPE_/, '') ?? String(e.eventType));
    }
  }
  return into;
}

/** Reads the histories of up to `sample` runs the visibility query lists, in its order (the latest started first),
 *  four at a time, and sums their tasks. */
export async function historyTaskTimes(client: Client, query: string, sample: number): Promise<HistoryTaskTimes> {
  const ids: Array<{ workflowId: string; runId: string }> = [];
  for await (const w of client.workflow.list({ query, pageSize: Math.min(sample, 1000) })) {
    ids.push({ workflowId: w.workflowId, runId: w.runId });
    if (ids.length >= sample) break;
  }
  const out = emptyHistoryTaskTimes();
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const { workflowId, runId } = ids[next++];
      const history = await client.workflow
        .getHandle(workflowId, runId)
        .fetchHistory()
        .catch(() => undefined);
      if (history?.events) addWorkflowTasks(out, history.events, `${workflowId} ${runId}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  return out;
}

/** The lines bench/scale.ts prints. */
export function describeHistoryTaskTimes(label: string, t: HistoryTaskTimes): string[] {
  const s = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted.length
      ? `p50 ${(pct(sorted, 0.5) / 1000).toFixed(2)} s, p99 ${(pct(sorted, 0.99) / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1] / 1000).toFixed(2)} s (${sorted.length})`
      : '-';
  };
  const over = (xs: number[], limitMs: number) => xs.filter((x) => x > limitMs).length;
  return [
    `${label}: the histories of ${t.runs} runs (the server's clock):`,
    `  waited on the shared queue: ${s(t.queueWaitMs.normal)}; on a worker's sticky queue: ${s(t.queueWaitMs.sticky)}`,
    `  out with a worker, started → answered: ${s(t.outMs)}; over 1 s: ${over(t.outMs, 1000)}, over 5 s: ${over(t.outMs, 5000)}`,
    `  timed out: ${t.stickyUntaken} sticky tasks not taken, ${t.startedNotAnswered} taken and not answered; ${t.failed} failed`,
    ...Object.entries(t.notAnsweredFor)
      .sort((a, b) => b[1] - a[1])
      .map(([why, n]) => `    not answered: ${n} × a task for ${why}`),
    ...t.notAnsweredExamples.map((e) => `    e.g. ${e}`),
  ];
}
