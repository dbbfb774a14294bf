// Expand: promote a proven advocate to a higher-impact motion (each promotion once), else rest and end the cycle.
import { holds } from '../journey/conditions.ts';
import { iso, stopRequested, track, type RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';
import { durationMs } from '../../definitions/duration.ts';
import { waitUntil } from '../journey/waits.ts';

export type ExpandOutcome = { kind: 'promote'; motion: string; reason: string } | { kind: 'cycle-end' } | { kind: 'handover' };

export async function expand(ctx: RunContext): Promise<ExpandOutcome> {
  const plan = ctx.def.expand;
  const { state } = ctx;
  // A run handed over while resting picks the rest up where it was (no second look for a promotion).
  const resting = state.restingUntil ? Date.parse(state.restingUntil) : undefined;
  const promotion =
    resting !== undefined
      ? undefined
      : (plan?.promotions ?? []).find(
          (p, i) =>
            !state.promotionsUsed.includes(p.id) &&
            ctx.def.motions[p.motion] &&
            holds(p.when, conditionScope(ctx, undefined), `/expand/promotions/${i}/when`),
        );
  if (promotion) {
    state.promotionsUsed.push(promotion.id);
    const reason = promotion.reason ?? promotion.id;
    track(ctx, 'promoted', { promotion: promotion.id, motion: promotion.motion, reason });
    return { kind: 'promote', motion: promotion.motion, reason };
  }
  if (plan?.returnToListenAfter) {
    const until = resting ?? ctx.now() + durationMs(plan.returnToListenAfter);
    state.restingUntil = iso(until);
    while (ctx.now() < until && !stopRequested(ctx)) {
      const woke = await waitUntil(ctx, `resting until ${iso(until)} before listening again`, { until, mayHandOver: true });
      if (woke === 'handover') return { kind: 'handover' };
      if (woke !== 'changed') break;
    }
  }
  state.restingUntil = undefined;
  return { kind: 'cycle-end' };
}
