// bench/scale-histories.ts reads the server's record of workflow tasks from histories: which wait belongs to which
// queue, how long a worker held a task, and which of the two timeouts ended one.
import { describe, expect, it } from 'vitest';
import proto, { type temporal } from '@temporalio/proto';
import { addWorkflowTasks, emptyHistoryTaskTimes } from '../bench/scale-histories.ts';

const { EventType, TaskQueueKind, TimeoutType } = proto.temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const scheduled = (id: number, ms: number, sticky: boolean): HistoryEvent => ({
  eventId: id,
  eventTime: at(ms),
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  workflowTaskScheduledEventAttributes: {
    taskQueue: { kind: sticky ? TaskQueueKind.TASK_QUEUE_KIND_STICKY : TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
  },
});
const started = (id: number, ms: number, scheduledEventId: number): HistoryEvent => ({
  eventId: id,
  eventTime: at(ms),
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  workflowTaskStartedEventAttributes: { scheduledEventId },
});

describe("the server's record of workflow tasks (bench/scale-histories.ts)", () => {
  it('splits queue waits by queue, times what a worker held, and tells the two timeouts apart', () => {
    const events: HistoryEvent[] = [
      scheduled(3, 1_000, false),
      started(4, 1_250, 3),
      {
        eventId: 5,
        eventTime: at(1_650),
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        workflowTaskCompletedEventAttributes: { scheduledEventId: 3, startedEventId: 4 },
      },
      // A sticky task no worker took: it goes back to the shared queue.
      scheduled(6, 2_000, true),
      {
        eventId: 7,
        eventTime: at(12_000),
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
        workflowTaskTimedOutEventAttributes: { timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START },
      },
      scheduled(8, 12_000, false),
      started(9, 15_000, 8),
      {
        eventId: 10,
        eventTime: at(25_000),
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
        workflowTaskTimedOutEventAttributes: { timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE },
      },
      scheduled(11, 25_000, true),
      started(12, 25_030, 11),
      { eventId: 13, eventTime: at(25_100), eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED },
    ];
    const t = addWorkflowTasks(emptyHistoryTaskTimes(), events);
    expect(t).toEqual({
      runs: 1,
      queueWaitMs: { normal: [250, 3_000], sticky: [30] },
      outMs: [400],
      stickyUntaken: 1,
      startedNotAnswered: 1,
      failed: 1,
    });
  });
});
