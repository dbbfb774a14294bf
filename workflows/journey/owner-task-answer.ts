// The owner's answer to the cycle's owner task (owner_task.completed / owner_task.declined), taken by the
// journeyEvent handler: recorded on the task and tracked at once, and the waiting Invite stage woken
// (stages/owner-task.ts awaitOwnerAnswer). An answer to another task (an earlier cycle's, a typo) or to one already answered is recorded
// as event.ignored (patch journey-records-unapplied-events), not acted on.
import type { JourneyEvent } from '../contract/index.ts';
import { iso, track, wake, type RunContext } from './context.ts';
import { note } from './state.ts';
import { recordIgnoredEvent, recordsUnappliedEvents } from './unapplied-events.ts';

/** The journeyEvent handler's part: owner_task.completed / declined for this cycle's open task. */
export function takeOwnerTaskAnswer(ctx: RunContext, event: JourneyEvent): void {
  const task = ctx.state.ownerTask;
  const taskId = String(event.data?.taskId ?? '');
  if (!task || task.taskId !== taskId) {
    const detail = `names task ${JSON.stringify(taskId.slice(0, 200))}, not this run's open task${task ? ` (${task.taskId})` : ''}`;
    if (recordsUnappliedEvents(ctx)) recordIgnoredEvent(ctx, event, 'unknown-task', detail);
    else
      note(
        ctx.state,
        ctx.now(),
        `${event.type} ${event.id} names task ${JSON.stringify(taskId.slice(0, 200))}, not this run's open task: ignored`,
      );
    return;
  }
  if (task.outcome) {
    if (recordsUnappliedEvents(ctx))
      recordIgnoredEvent(ctx, event, 'already-answered', `task ${taskId} was already answered (${task.outcome})`);
    else note(ctx.state, ctx.now(), `${event.type} ${event.id}: task ${taskId} was already answered (${task.outcome})`);
    return;
  }
  const done = event.type === 'owner_task.completed';
  task.outcome = done ? 'done' : 'declined';
  task.outcomeAt = iso(ctx.now());
  const detail = event.data?.[done ? 'note' : 'reason'];
  if (typeof detail === 'string' && detail) task.detail = detail.slice(0, 500);
  track(ctx, done ? 'owner_task.completed' : 'owner_task.declined', { taskId, ...(task.detail ? { detail: task.detail } : {}) });
  wake(ctx);
}
