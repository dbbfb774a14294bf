// Listen: wait for a delight signal (a listen event whose condition holds) that may start a cycle: not while a
// bad signal holds the customer, not sooner than the re-entry interval after the last cycle's start.
import type { JourneyEvent } from '../contract/index.ts';
import type { DelightSignal } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { holds } from '../journey/conditions.ts';
import { iso, npsOf, stopRequested, track, trackIfLive, type RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';
import { handoverDue } from '../journey/handover.ts';
import { isActionEvent, recordIgnoredAction } from '../journey/ignored-actions.ts';
import { recordIgnoredEvent, recordsUnappliedEvents } from '../journey/unapplied-events.ts';
import { note } from '../journey/state.ts';
import { delightBlocked } from '../journey/suppression.ts';
import { waitUntil } from '../journey/waits.ts';

export type ListenOutcome =
  { kind: 'delight'; signal: DelightSignal; event: JourneyEvent } | { kind: 'stopped' } | { kind: 'upgrade' } | { kind: 'continue-as-new' };

function matchingSignal(ctx: RunContext, event: JourneyEvent): DelightSignal | undefined {
  return ctx.def.listen.signals.find(
    (s, i) => s.event === event.type && holds(s.when, conditionScope(ctx, event), `/listen/signals/${i}/when`),
  );
}

/** Whether one of the plan's suppression rules applied the event as a bad signal when it came (event-intake.ts). */
function tookAsBadSignal(ctx: RunContext, event: JourneyEvent): boolean {
  return ctx.def.suppression.signals.some(
    (rule, i) => rule.event === event.type && holds(rule.when, conditionScope(ctx, event), `/suppression/signals/${i}/when`),
  );
}

function listenIdsFor(ctx: RunContext, event: JourneyEvent): string {
  return ctx.def.listen.signals
    .filter((s) => s.event === event.type)
    .map((s) => s.id)
    .join(', ');
}

/** Why a delight may not start a cycle now, or undefined. */
function reentryBlocked(ctx: RunContext): string | undefined {
  const reentry = ctx.def.listen.reentry;
  const last = ctx.state.lastCycleStartedAt;
  if (!last || !reentry?.minInterval) return undefined;
  const opens = Date.parse(last) + durationMs(reentry.minInterval);
  return opens > ctx.now() ? `re-entry interval ${reentry.minInterval} since the last cycle (until ${iso(opens)})` : undefined;
}

export async function listen(ctx: RunContext): Promise<ListenOutcome> {
  for (;;) {
    if (stopRequested(ctx)) return { kind: 'stopped' };
    if (ctx.upgrade) return { kind: 'upgrade' };
    while (ctx.state.inbox.length > 0) {
      const event = ctx.state.inbox.shift()!;
      const signal = matchingSignal(ctx, event);
      if (!signal) {
        // An action with no ask open (the cycle ended before it came): recorded, not lost.
        if (isActionEvent(ctx, event))
          recordIgnoredAction(ctx, event, `no ask is open: the run is listening (cycle ${ctx.state.cycle} has not begun)`);
        // A listen event no delight condition holds for (a passive NPS, a neutral QBR): recorded, unless a
        // suppression rule took it as a bad signal (its `suppressed` record says what it did).
        else if (!tookAsBadSignal(ctx, event) && recordsUnappliedEvents(ctx))
          recordIgnoredEvent(ctx, event, 'condition-false', `no delight signal's condition holds for it (${listenIdsFor(ctx, event)})`);
        continue;
      }
      const blocked = delightBlocked(ctx) ?? reentryBlocked(ctx);
      if (blocked) {
        note(ctx.state, ctx.now(), `delight ${signal.id} (event ${event.id}) ignored: ${blocked}`);
        trackIfLive(ctx, 'delight.ignored', { signal: signal.id, eventId: event.id, reason: blocked, ...npsOf(event) });
        continue;
      }
      track(ctx, 'delight', { signal: signal.id, eventId: event.id, ...npsOf(event) });
      return { kind: 'delight', signal, event };
    }
    // A run listening for months carries its state into a fresh history when the server suggests it, when its
    // history reaches the run's limit, or when an operator asks it to (journey/handover.ts).
    if (handoverDue(ctx)) return { kind: 'continue-as-new' };
    await waitUntil(ctx, 'listening for delight', {
      alsoWakeOn: () => ctx.state.inbox.length > 0 || Boolean(ctx.upgrade),
      mayHandOver: true,
    });
  }
}
