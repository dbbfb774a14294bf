// An action event (what some motion's Activate waits for) that reaches a run where no stage can act on it: Listen
// (no ask is open: the cycle ended, early or on time, before the action came) or an ended run. It is recorded as
// action.ignored with the reason (patch journey-records-ignored-actions), never dropped without a trace: "no accepted
// event is ever dropped". The chaos subset found it (chaos-009: a case study published after its ask could not go
// out had no record at all). Whether such a late action should still be rewarded is the plan's to say, not this.
import { isPatched } from './patch-check.ts';
import type { JourneyEvent } from '../contract/index.ts';
import { PATCH_JOURNEY_RECORDS_IGNORED_ACTIONS } from '../patches.ts';
import { track, type RunContext } from './context.ts';
import { note } from './state.ts';

/** Whether the event is an action of one of the plan's motions (its type; the action's condition is Activate's). */
export function isActionEvent(ctx: RunContext, event: JourneyEvent): boolean {
  return Object.values(ctx.def.motions).some((m) => m.activate.actions.some((a) => a.event === event.type));
}

/**
 * Records an action event the run takes but cannot act on, with why. Only a run that writes tracking as facts happen
 * (1.0.0 runs wrote at stage ends) and reaches this point with the patch: a history that passed it without the
 * marker wrote nothing here, and replays so.
 */
export function recordIgnoredAction(ctx: RunContext, event: JourneyEvent, reason: string): void {
  if (!isActionEvent(ctx, event) || !ctx.trackingLive || !isPatched(ctx, PATCH_JOURNEY_RECORDS_IGNORED_ACTIONS)) return;
  note(ctx.state, ctx.now(), `action ${event.type.slice(0, 80)} ${event.id.slice(0, 80)} ignored: ${reason}`);
  track(ctx, 'action.ignored', { eventType: event.type, eventId: event.id, cycle: ctx.state.cycle, reason });
}
