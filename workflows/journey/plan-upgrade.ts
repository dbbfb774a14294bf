// Deploy-time plan upgrades for a run in flight (the upgradePlan signal): a newer version of the same journey is
// taken only when it says `inFlight: migrate-at-listen`, and the run moves to it the next time it is back in Listen.
import type { JourneyRunInput } from '../contract/index.ts';
import type { RunContext } from './context.ts';
import { note } from './state.ts';
import { planProblems } from './run-checks.ts';

export function takeUpgrade(ctx: RunContext, next: JourneyRunInput['plan']): void {
  // The signal may come from any client, not only the API's reload: a plan this interpreter could not run (or
  // anything else) is noted and ignored, never thrown (a throwing handler fails the workflow task for ever).
  const problems = planProblems(next, 'upgrade');
  if (problems.length > 0) {
    note(ctx.state, ctx.now(), `upgrade ignored: not a plan this run can take (${problems.slice(0, 3).join('; ').slice(0, 300)})`);
    return;
  }
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
