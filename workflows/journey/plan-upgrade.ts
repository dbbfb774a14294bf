// Deploy-time plan upgrades for a run in flight (the upgradePlan signal): a newer version of the same journey is
// taken only when it says `inFlight: migrate-at-listen`, and the run moves to it the next time it is back in Listen.
import type { JourneyRunInput } from '../contract/index.ts';
import type { RunContext } from './context.ts';
import { note } from './state.ts';

export function takeUpgrade(ctx: RunContext, next: JourneyRunInput['plan']): void {
  if (next?.journeyId !== ctx.plan.journeyId || !(next.version > ctx.plan.version)) {
    note(ctx.state, ctx.now(), `upgrade to ${next?.journeyId} v${next?.version} ignored: not a newer version of this journey`);
    return;
  }
  if (next.definition.inFlight !== 'migrate-at-listen') {
    note(ctx.state, ctx.now(), `version ${next.version} deployed; this run finishes on version ${ctx.plan.version} (inFlight: finish)`);
    return;
  }
  ctx.upgrade = next;
  ctx.state.pendingPlan = { version: next.version, hash: next.hash };
  ctx.changes++;
}
