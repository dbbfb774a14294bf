// When a fact happened, for windows measured from an earlier fact of the run (a conversion within the attribution
// window of its referral, a reversal within the reversal window of its payout). A worker may reach an event long
// after the engine took it (a worker outage, a backlog): judged by the workflow's now, a conversion taken in time
// was dropped and the advocate's reward forfeited (found by bench/chaos.ts). The API stamps `receivedAt` when
// Temporal takes the event; an event without it (signalled straight to a run, or in a history from before the
// stamp) is judged at the workflow's now, as before, so no existing history decides differently.
import type { JourneyEvent } from '../contract/index.ts';
import type { RunContext } from './context.ts';

/** The fact's time: the event's receivedAt, kept between `notBeforeMs` (the earlier fact) and the workflow's now. */
export function factTimeMs(ctx: RunContext, event: JourneyEvent, notBeforeMs: number): number {
  const now = ctx.now();
  const received = typeof event.receivedAt === 'string' ? Date.parse(event.receivedAt) : NaN;
  if (!Number.isFinite(received)) return now;
  return Math.min(now, Math.max(notBeforeMs, received));
}
