// Every NPS answer the run hears is a tracking record (nps.received, data.nps), whatever it leads to: the KPI
// report's promoter rate divides promoters by customers with an NPS, and passives (7-8), or promoters held back by
// the re-entry interval, used to leave no record at all.
import type { JourneyEvent } from '../contract/index.ts';
import { npsOf, track, type RunContext } from './context.ts';

export function recordNpsAnswer(ctx: RunContext, event: JourneyEvent): void {
  const nps = npsOf(event);
  if (!nps) return;
  ctx.state.history.lastNps = nps.nps;
  track(ctx, 'nps.received', { eventId: event.id, ...nps });
}
