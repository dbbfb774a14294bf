// Activate: wait for one of the motion's action events (with its condition) until the timeout counted from the
// first ask; on timeout the plan says listen again or exit.
import type { JourneyEvent } from '../contract/index.ts';
import { durationMs } from '../../definitions/duration.ts';
import { holds } from '../journey/conditions.ts';
import { iso, stopRequested, track, type RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';
import { waitUntil } from '../journey/waits.ts';

function actionIndex(ctx: RunContext): number {
  const motion = ctx.state.motion ? ctx.def.motions[ctx.state.motion] : undefined;
  if (!motion) return -1;
  return ctx.state.inbox.findIndex((e) =>
    motion.activate.actions.some(
      (a, i) => a.event === e.type && holds(a.when, conditionScope(ctx, e), `/motions/${ctx.state.motion}/activate/actions/${i}/when`),
    ),
  );
}

/** Whether an action for the current motion is waiting in the inbox. */
export function actionWaiting(ctx: RunContext): boolean {
  return actionIndex(ctx) >= 0;
}

/** Takes the first waiting action of the current motion out of the inbox, counted and tracked; undefined if none. */
export function takeAction(ctx: RunContext): JourneyEvent | undefined {
  const i = actionIndex(ctx);
  if (i < 0) return undefined;
  const [event] = ctx.state.inbox.splice(i, 1);
  ctx.state.history.actions++;
  track(ctx, 'action.taken', { eventType: event.type, eventId: event.id, cycle: ctx.state.cycle });
  return event;
}

export type ActivateOutcome =
  { kind: 'acted'; event: JourneyEvent } | { kind: 'timeout'; then: 'listen' | 'exit' } | { kind: 'stopped' } | { kind: 'handover' };

export async function activate(ctx: RunContext): Promise<ActivateOutcome> {
  const activatePlan = ctx.def.motions[ctx.state.motion!].activate;
  const from = ctx.state.asks[0] ? Date.parse(ctx.state.asks[0].at) : ctx.now();
  const deadline = from + durationMs(activatePlan.timeout);
  for (;;) {
    const event = takeAction(ctx);
    if (event) return { kind: 'acted', event };
    if (stopRequested(ctx)) return { kind: 'stopped' };
    const woke = await waitUntil(ctx, `waiting for ${activatePlan.actions.map((a) => a.event).join(' or ')} until ${iso(deadline)}`, {
      until: deadline,
      alsoWakeOn: () => actionWaiting(ctx),
      mayHandOver: true,
    });
    if (woke === 'handover') return { kind: 'handover' };
    if (woke === 'elapsed' || woke === 'skipped') {
      if (actionWaiting(ctx)) continue;
      track(ctx, 'action.timeout', { timeout: activatePlan.timeout });
      return { kind: 'timeout', then: activatePlan.onTimeout };
    }
  }
}
