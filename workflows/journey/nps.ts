// Every NPS answer the run hears is a tracking record (nps.received, data.nps), whatever it leads to: the KPI
// report's promoter rate divides promoters by customers with an NPS, and passives (7-8), or promoters held back by
// the re-entry interval, used to leave no record at all.
import type { JourneyEvent } from '../contract/index.ts';
import { patched } from '@temporalio/workflow';
import { npsOf, track, type RunContext } from './context.ts';

/** Runs from before this rule queued no record for an NPS answer (each record is one activity when written). */
export const PATCH_TRACK_EVERY_NPS = 'track-every-nps';

export function recordNpsAnswer(ctx: RunContext, event: JourneyEvent): void {
  const nps = npsOf(event);
  if (!nps) return;
  ctx.state.history.lastNps = nps.nps;
  if (patched(PATCH_TRACK_EVERY_NPS)) track(ctx, 'nps.received', { eventId: event.id, ...nps });
}
