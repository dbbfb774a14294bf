// Listen: wait for a delight signal (a listen event whose condition holds) that may start a cycle: not while a
// bad signal holds the customer, not sooner than the re-entry interval after the last cycle's start.
import type { JourneyEvent } from '../contract/index.ts';
import type { DelightSignal } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { holds } from '../journey/conditions.ts';
import { iso, npsOf, stopRequested, track, trackIfLive, type RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';
import { handoverDue } from '../journey/handover.ts';
import { recordIgnoredAction } from '../journey/ignored-actions.ts';
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
        recordIgnoredAction(ctx, event, `no ask is open: the run is listening (cycle ${ctx.state.cycle} has not begun)`);
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
