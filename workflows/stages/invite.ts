// Invite: the first ask after the delay, then the reminders, up to the attempt cap, each inside the send window in
// the customer's zone and only with a contact slot. Each attempt's wait, slot and send run in one cancellation
// scope that a bad signal cancels, so an ask about to go out never does.
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import type { Invite } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { iso, stopRequested, type RunContext } from '../journey/context.ts';
import { askHold } from '../journey/suppression.ts';
import { note } from '../journey/state.ts';
import { waitUntil } from '../journey/waits.ts';
import { actionWaiting } from './activate.ts';
import { chooseVariant, recipient, templateName, type Channel, type Template } from './invite-message.ts';
import { askCancelled, askHeld } from './invite-facts.ts';
import { deliveriesOf } from '../journey/prompts.ts';
import { chooseForArm, inviteForArm } from '../journey/experiment.ts';
import { awaitOwnerAnswer, ownerTaskPlan } from './owner-task.ts';
import { sendKeyOf, waitSlotAndSend } from './invite-attempt.ts';

/** owner-declined / owner-no-answer: the owner's answer to the cycle's owner task (run-stages.ts does what the plan says). */
export type InviteOutcome =
  'asked-all' | 'acted' | 'suppressed' | 'stopped' | 'cannot-ask' | 'handover' | 'owner-declined' | 'owner-no-answer';
type AttemptOutcome = 'sent' | 'held-out' | Exclude<InviteOutcome, 'asked-all' | 'owner-declined' | 'owner-no-answer'>;

export async function invite(ctx: RunContext): Promise<InviteOutcome> {
  const { state } = ctx;
  const motion = state.motion!;
  const written = ctx.def.motions[motion]?.invite;
  if (!written) throw ApplicationFailure.nonRetryable(`bad plan: no motions.${motion}.invite`, 'JourneyBadPlan');
  // An experiment arm may change the delay, the reminder spacing and what the ask says (journey/experiment.ts).
  const plan = inviteForArm(ctx, written);
  const chosen = chooseForArm(ctx, plan, chooseVariant(ctx, plan, motion));
  state.variant = chosen.variant;
  const total = Math.min(plan.maxAttempts, 1 + (plan.reminders?.length ?? 0));
  for (let attempt = state.attempts + 1; attempt <= total; attempt++) {
    const reminder = attempt > 1 ? plan.reminders![attempt - 2] : undefined;
    const notBefore = reminder
      ? Date.parse(state.asks[state.asks.length - 1].at) + durationMs(reminder.after)
      : Date.parse(state.delight!.at) + durationMs(plan.firstAskDelay);
    // A reminder due after Activate's timeout (counted from the first ask) would ask for an action no longer awaited.
    if (reminder && state.asks[0] && notBefore >= Date.parse(state.asks[0].at) + durationMs(ctx.def.motions[motion].activate.timeout))
      return 'asked-all';
    const template = reminder?.template ?? chosen.template;
    // An ask that cannot go out (email misconfigured) is retried until Activate would no longer wait for its answer.
    const giveUpAt = (state.asks[0] ? Date.parse(state.asks[0].at) : notBefore) + durationMs(ctx.def.motions[motion].activate.timeout);
    const outcome = await askWhenAllowed(ctx, plan, attempt, notBefore, template, chosen.channel, giveUpAt);
    // Control: the moment of the first ask passed without one; Activate waits from here as it would after an ask.
    if (outcome === 'held-out') return 'asked-all';
    if (outcome !== 'sent') return outcome;
  }
  // The cycle's owner task is out (also in a run that took over after a handover): its answer decides what follows.
  const task = state.ownerTask;
  if (ownerTaskPlan(ctx) && task?.cycle === state.cycle && task.motion === motion) {
    const answer = await awaitOwnerAnswer(ctx);
    if (answer === 'declined' || answer === 'no-answer') return answer === 'declined' ? 'owner-declined' : 'owner-no-answer';
    if (answer === 'handover' || answer === 'stopped' || answer === 'acted') return answer;
  }
  return 'asked-all';
}

async function askWhenAllowed(
  ctx: RunContext,
  plan: Invite,
  attempt: number,
  notBefore: number,
  template: Template,
  channel: Channel,
  giveUpAt: number,
): Promise<AttemptOutcome> {
  const { state } = ctx;
  const label = `invite #${attempt}, template ${templateName(template)}`;
  const ask = { attempt, sendKey: sendKeyOf(ctx, attempt) };
  // An ask retried after an email misconfiguration keeps its backoff across a handover to a fresh run.
  const problem = state.emailProblem?.sendKey === sendKeyOf(ctx, attempt) ? state.emailProblem : undefined;
  let earliest = problem?.retryAt ? Math.max(notBefore, Date.parse(problem.retryAt)) : notBefore;
  let skipWindow = false;
  let slotTries = 0;
  for (;;) {
    if (actionWaiting(ctx)) return 'acted';
    if (stopRequested(ctx)) return 'stopped';
    const hold = askHold(ctx, channel);
    if (hold?.kind === 'never') {
      note(state, ctx.now(), `${label} not sent: ${hold.reason}`);
      askCancelled(ctx, ask, hold.reason);
      return stopRequested(ctx) ? 'stopped' : 'cannot-ask';
    }
    if (hold?.kind === 'hold') {
      note(state, ctx.now(), `${label} cancelled: ${hold.reason}`);
      askCancelled(ctx, ask, hold.reason);
      return 'suppressed';
    }
    if (hold) {
      state.suppression.lastHeld = { reason: hold.reason, at: iso(ctx.now()) };
      askHeld(ctx, ask, hold.reason, hold.until);
      if ((await waitUntil(ctx, `${label} held: ${hold.reason}`, { until: hold.until, mayHandOver: true })) === 'handover')
        return 'handover';
      continue;
    }
    // An ask delivered only in-product needs no address.
    const to = inProductOnly(ctx, plan, channel) ? '' : recipient(ctx, channel);
    if (to === undefined) {
      const why = `no ${channel === 'owner-outreach' ? 'traits.ownerEmail' : 'traits.email'}`;
      note(state, ctx.now(), `${label} not sent: ${why}`);
      askCancelled(ctx, ask, why);
      return 'cannot-ask';
    }
    const scope = new CancellationScope();
    ctx.pendingAsk = scope;
    try {
      const result = await scope.run(() =>
        waitSlotAndSend(ctx, { plan, attempt, earliest, skipWindow, template, channel, to, label, slotTry: slotTries, giveUpAt }),
      );
      if (result === 'sent') return 'sent';
      if (result.kind === 'held-out') return 'held-out';
      if (result.kind === 'handover') return 'handover';
      if (result.kind === 'skip') skipWindow = true;
      if (result.kind === 'retry-at') {
        earliest = result.at;
        slotTries++;
      }
      // The slot stays reserved (its key's decision is final): only the send is tried again.
      if (result.kind === 'send-again-at') {
        earliest = result.at;
        skipWindow = false;
      }
      if (result.kind === 'never') return stopRequested(ctx) ? 'stopped' : 'cannot-ask';
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // Cancelled by a bad signal, an opt-out or an operator: the loop re-reads why.
    } finally {
      ctx.pendingAsk = undefined;
    }
  }
}

function inProductOnly(ctx: RunContext, plan: Invite, channel: Channel): boolean {
  return !deliveriesOf(ctx, plan, channel).includes('email');
}
