// An accepted event that a run hears but does not apply leaves a record (tracking) and a note (current details),
// never vanishes: "no accepted event is ever dropped" (patch journey-records-unapplied-events). The cases:
//   event.ignored  condition-false    a listen event whose condition holds for no delight signal (a passive NPS)
//   event.ignored  unknown-task       an owner_task.* answer naming a task that is not this run's open one
//   event.ignored  already-answered   an owner_task.* answer to a task already answered
//   event.dropped  inbox-full         the inbox's bound made room for a newer event (inbox.ts)
//   action.ignored opted-out          an action that came after the run applied the customer's opt-out
//   event.ignored  code-revoked       a referral on a referral code the run no longer honours: it ended, or the
//                                     customer opted out (patch journey-refuses-revoked-code-referrals)
// Each is a fact of the moment it happens, written live; a run from 1.0.0 (writing at stage ends) writes none of them.
import { metricMeter } from '@temporalio/workflow';
import { isPatched } from './patch-check.ts';
import type { JourneyEvent } from '../contract/index.ts';
import { PATCH_JOURNEY_RECORDS_UNAPPLIED_EVENTS, PATCH_JOURNEY_REFUSES_REVOKED_CODE_REFERRALS } from '../patches.ts';
import { track, type RunContext } from './context.ts';
import { note } from './state.ts';

export type IgnoredReason = 'condition-false' | 'unknown-task' | 'already-answered' | 'code-revoked';

/**
 * Whether this run records unapplied events and honours actions heard before an opt-out. Asked only where such a
 * fork is reached (so a history that never reaches one gains no marker); a run writing tracking the 1.0.0 way
 * keeps the old path.
 */
export function recordsUnappliedEvents(ctx: RunContext): boolean {
  return ctx.trackingLive && isPatched(ctx, PATCH_JOURNEY_RECORDS_UNAPPLIED_EVENTS);
}

function factsOf(ctx: RunContext, event: JourneyEvent) {
  return { eventType: event.type.slice(0, 200), eventId: event.id.slice(0, 200), cycle: ctx.state.cycle };
}

/** event.ignored: the run took the event (its id is deduplicated) but no rule or stage acts on it. */
export function recordIgnoredEvent(ctx: RunContext, event: JourneyEvent, reason: IgnoredReason, detail: string): void {
  note(ctx.state, ctx.now(), `${event.type.slice(0, 80)} ${event.id.slice(0, 80)} ignored (${reason}): ${detail}`);
  track(ctx, 'event.ignored', { ...factsOf(ctx, event), reason, detail: detail.slice(0, 300) });
}

/**
 * Why the run refuses this referral, when it carries a referral code the run no longer honours (the run ended, or the
 * customer opted out: what the referral page calls a revoked code), else undefined. Patched where such a referral
 * arrives; a run writing tracking the 1.0.0 way keeps the old path (it records the referral).
 */
export function revokedCodeRefusal(ctx: RunContext, event: JourneyEvent): string | undefined {
  if (event.type !== 'referral.submitted' || typeof event.data?.referralCode !== 'string') return undefined;
  const ended = Boolean(ctx.state.ended) || ctx.state.stage === 'ended';
  if (!ended && !ctx.state.suppression.optedOut) return undefined;
  if (!ctx.trackingLive || !isPatched(ctx, PATCH_JOURNEY_REFUSES_REVOKED_CODE_REFERRALS)) return undefined;
  return ended ? 'its referral code is no longer valid: the journey ended' : 'its referral code is no longer valid: the customer opted out';
}

/** event.dropped: the bounded inbox let the event go unread to make room; counted for the worker's metrics too. */
export function recordDroppedEvent(ctx: RunContext, event: JourneyEvent, detail: string): void {
  note(ctx.state, ctx.now(), `${event.type.slice(0, 80)} ${event.id.slice(0, 80)} dropped unread: ${detail}`);
  track(ctx, 'event.dropped', { ...factsOf(ctx, event), reason: 'inbox-full', detail: detail.slice(0, 300) });
  metricMeter
    .createCounter('journey_inbox_events_dropped', undefined, 'events a journey run dropped unread from its full inbox')
    .add(1, { journey: ctx.plan.journeyId });
}

/** action.ignored with reason opted-out: the action came after the run applied the customer's opt-out. */
export function recordActionIgnoredOptedOut(ctx: RunContext, event: JourneyEvent): void {
  const why = ctx.state.suppression.optedOut?.reason ?? 'opted out';
  note(ctx.state, ctx.now(), `action ${event.type.slice(0, 80)} ${event.id.slice(0, 80)} ignored: the customer had opted out (${why})`);
  track(ctx, 'action.ignored', { ...factsOf(ctx, event), reason: 'opted-out', detail: `opted out: ${why}`.slice(0, 300) });
}

/**
 * Whether the run honours what the customer did before opting out (patch journey-records-unapplied-events): opted
 * out, neither cancelled nor exited. Then a reward their action earned is still decided, held and issued once, and
 * its hold kept (an opt-out stops contact, not payment); the patch is asked only once the customer has opted out.
 */
export function honoursOptOut(ctx: RunContext): boolean {
  return Boolean(ctx.state.suppression.optedOut) && !ctx.cancelRequested && !ctx.exitRequested && recordsUnappliedEvents(ctx);
}
