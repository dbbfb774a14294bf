// The customer opted out while the stage loop was between hearing an action and acting on it: the action is in the
// inbox (heard earlier, or in the same workflow task as the opt-out), or Activate took it and Reward has not run.
// Product decision (issue 15): an action taken before the opt-out was applied is honoured. The reward it earned is
// decided, held and issued exactly once, by its idempotency key, as without the opt-out; nothing is sent to the
// customer (the thank-you is recorded as thanks.withheld, a referrer update as referrer_update.cancelled). Once
// the loop has applied the opt-out (ctx.optOutApplied), an action that comes is action.ignored (opted-out), and so
// is an action left in the inbox that no open ask can take. Patch journey-records-unapplied-events.
import type { JourneyEvent } from '../contract/index.ts';
import { reward, type RewardOutcome } from '../stages/reward.ts';
import type { RunContext } from './context.ts';
import { isActionEvent } from './ignored-actions.ts';
import { recordActionIgnoredOptedOut, recordsUnappliedEvents } from './unapplied-events.ts';

/** Whether the opt-out finds something the customer did before it: an action taken or waiting, a reward still held. */
function somethingToHonour(ctx: RunContext, taken: JourneyEvent | undefined): boolean {
  return Boolean(taken) || (ctx.state.heldRewards?.length ?? 0) > 0 || ctx.state.inbox.some((e) => isActionEvent(ctx, e));
}

/** Whether the cycle had an ask open that the action answers: Invite after an ask went out, Activate, Reward. */
function askOpen(ctx: RunContext): boolean {
  const { stage, motion, asks } = ctx.state;
  return Boolean(motion) && (stage === 'activate' || stage === 'reward' || (stage === 'invite' && asks.length > 0));
}

/**
 * Called by the stage loop as it moves an opted-out run to rest: rewards the actions heard before the opt-out (the
 * one Activate took, those waiting for the open ask) and releases rewards still held, then records every other
 * action left in the inbox. 'handover': a hold is long and the run hands over in the Reward stage; the next run
 * comes back here and releases what is held (state.heldRewards). A run without the patch skips all this.
 */
export async function honourActionsBeforeOptOut(ctx: RunContext, taken: JourneyEvent | undefined): Promise<RewardOutcome> {
  if (!somethingToHonour(ctx, taken) || !recordsUnappliedEvents(ctx)) return 'done';
  if (askOpen(ctx) || (ctx.state.heldRewards?.length ?? 0) > 0) {
    ctx.state.stage = 'reward';
    // reward() takes the waiting actions of the open ask once (ctx.optOutApplied), and holds and pays as usual.
    if ((await reward(ctx, taken)) === 'handover') return 'handover';
  }
  ctx.optOutApplied = true;
  const left = ctx.state.inbox.filter((e) => isActionEvent(ctx, e));
  ctx.state.inbox = ctx.state.inbox.filter((e) => !isActionEvent(ctx, e));
  for (const event of left) recordActionIgnoredOptedOut(ctx, event);
  return 'done';
}
