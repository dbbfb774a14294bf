// bench/scale-histories.ts reads the server's record of workflow tasks from histories: which wait belongs to which
// queue, how long a worker held a task, and which of the two timeouts ended one.
import { describe, expect, it } from 'vitest';
import proto, { type temporal } from '@temporalio/proto';
import { addWorkflowTasks, emptyHistoryTaskTimes } from '../bench/scale-histories.ts';

const { EventType, TaskQueueKind, TimeoutType } = proto.temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
/** A real proto event from a plain object (numbers become the Longs the client hands out). */
const event = (o: Record<string, unknown>): HistoryEvent => proto.temporal.api.history.v1.HistoryEvent.fromObject(o);

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const scheduled = (id: number, ms: number, sticky: boolean): HistoryEvent =>
  event({
    eventId: id,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    workflowTaskScheduledEventAttributes: {
      taskQueue: { kind: sticky ? TaskQueueKind.TASK_QUEUE_KIND_STICKY : TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    },
  });
const started = (id: number, ms: number, scheduledEventId: number): HistoryEvent =>
  event({
    eventId: id,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    workflowTaskStartedEventAttributes: { scheduledEventId },
  });

const timedOut = (id: number, ms: number, timeoutType: number, scheduledEventId: number, startedEventId = 0) =>
  event({
    eventId: id,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    workflowTaskTimedOutEventAttributes: { timeoutType, scheduledEventId, startedEventId },
  });
const plain = (id: number, ms: number, eventType: number) => event({ eventId: id, eventTime: at(ms), eventType });
const signalled = (id: number, ms: number) => plain(id, ms, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
const completed = (id: number, ms: number, scheduledEventId: number, startedEventId: number) =>
  event({
    eventId: id,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    workflowTaskCompletedEventAttributes: { scheduledEventId, startedEventId },
  });

describe("the server's record of workflow tasks (bench/scale-histories.ts)", () => {
  it('splits queue waits by queue, times what a worker held, and tells the two timeouts apart', () => {
    const events: HistoryEvent[] = [
      scheduled(3, 1_000, false),
      started(4, 1_250, 3),
      completed(5, 1_650, 3, 4),
      // A signal, then a sticky task no worker took: it goes back to the shared queue, where one is taken and not
      // answered.
      signalled(6, 2_000),
      scheduled(7, 2_000, true),
      timedOut(8, 12_000, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START, 7),
      scheduled(9, 12_000, false),
      started(10, 15_000, 9),
      timedOut(11, 25_000, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, 9, 10),
      scheduled(12, 25_000, true),
      started(13, 25_030, 12),
      event({ eventId: 14, eventTime: at(25_100), eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED }),
      // Another signal: its sticky task is taken and not answered.
      signalled(15, 26_000),
      scheduled(16, 26_000, true),
      started(17, 26_010, 16),
      timedOut(18, 36_010, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, 16, 17),
    ];
    const t = addWorkflowTasks(emptyHistoryTaskTimes(), events, 'wf-1 run-1');
    expect(t).toEqual({
      runs: 1,
      queueWaitMs: { normal: [250, 3_000], sticky: [30, 10] },
      outMs: [400],
      stickyUntaken: 1,
      startedNotAnswered: 2,
      failed: 1,
      notAnsweredFor: {
        'no new event (a retry, or an update) on the shared queue': 1,
        'WORKFLOW_EXECUTION_SIGNALED on the sticky queue': 1,
      },
      notAnsweredExamples: [
        'wf-1 run-1 task 9: scheduled 1970-01-01T00:00:12.000Z, started +3.00 s, timed out +10.00 s after',
        'wf-1 run-1 task 16: scheduled 1970-01-01T00:00:26.000Z, started +0.01 s, timed out +10.00 s after',
      ],
    });
  });

  it('names a task by what it was for, not by the commands of the task before it', () => {
    const t = addWorkflowTasks(emptyHistoryTaskTimes(), [
      scheduled(3, 0, false),
      started(4, 10, 3),
      completed(5, 50, 3, 4),
      plain(6, 50, EventType.EVENT_TYPE_MARKER_RECORDED),
      plain(7, 50, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
      plain(8, 50, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      plain(9, 50, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED),
      plain(10, 80, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
      scheduled(11, 80, true),
      started(12, 90, 11),
      timedOut(13, 10_090, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, 11, 12),
    ]);
    expect(t.notAnsweredFor).toEqual({ 'ACTIVITY_TASK_COMPLETED on the sticky queue': 1 });
  });
});
