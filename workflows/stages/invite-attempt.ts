// One attempt of an ask, once it is due: wait for the send window (the customer's, or the owner's for an owner
// task), take a contact slot from customer:<id>, then send the email or post the in-product prompt. Runs inside the
// attempt's cancellation scope (stages/invite.ts), so a bad signal cancels an ask about to go out.

import { EMAIL_FAILURE } from '../contract/index.ts';
import { misconfigured } from './email-trouble.ts';
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { Invite, SendWindow } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { email, failureMessage, failureType, optional, retriesExhausted } from '../journey/activities.ts';
import { iso, stopRequested, track, type RunContext } from '../journey/context.ts';
import { askHold, optOut } from '../journey/suppression.ts';
import { isKnownTimeZone, nextSendTime } from '../journey/send-window.ts';
import { instantText } from '../../definitions/readable.ts';
import { note } from '../journey/state.ts';
import { showProgress } from '../journey/visibility.ts';
import { waitUntil } from '../journey/waits.ts';
import { actionWaiting } from './activate.ts';
import { askRequest, templateName, type Channel, type Template } from './invite-message.ts';
import { recordSentEmail } from '../journey/sends.ts';
import { askFailed, askMoved, askSent, windowReason } from './invite-facts.ts';
import { deliveriesOf, postPrompt } from '../journey/prompts.ts';
import { heldOut, recordHeldOut } from '../journey/experiment.ts';
import { isOwnerTask, ownerWindow, sendOwnerTask } from './owner-task.ts';

const SLOT_RETRY_FALLBACK_MS = 3_600_000;

export function customerZone(ctx: RunContext, window: SendWindow): string {
  const own = ctx.state.traits.timezone;
  if (isKnownTimeZone(own)) return own;
  if (own !== undefined)
    note(ctx.state, ctx.now(), `traits.timezone ${JSON.stringify(own)} is not an IANA zone; using the window's default`);
  return isKnownTimeZone(window.defaultTimezone) ? window.defaultTimezone : 'UTC';
}

export type Step =
  | 'sent'
  | { kind: 'again' }
  | { kind: 'skip' }
  | { kind: 'retry-at'; at: number }
  | { kind: 'send-again-at'; at: number }
  | { kind: 'never' }
  | { kind: 'handover' }
  | { kind: 'held-out' };

export async function waitSlotAndSend(
  ctx: RunContext,
  a: {
    plan: Invite;
    attempt: number;
    earliest: number;
    skipWindow: boolean;
    template: Template;
    channel: Channel;
    to: string;
    label: string;
    slotTry: number;
    giveUpAt: number;
  },
): Promise<Step> {
  const { state } = ctx;
  // An owner task goes out in the owner's working hours and zone; an ask to the customer in the customer's.
  const ownerTask = isOwnerTask(ctx, a.channel);
  const { window, zone } = ownerTask ? ownerWindow(ctx, a.plan) : { window: a.plan.sendWindow, zone: customerZone(ctx, a.plan.sendWindow) };
  const now = ctx.now();
  const due = Math.max(now, a.earliest);
  const sendAt = a.skipWindow ? now : nextSendTime(due, window, zone);
  if (sendAt > due) askMoved(ctx, { attempt: a.attempt, sendKey: sendKeyOf(ctx, a.attempt) }, due, sendAt, windowReason(window, zone));
  if (sendAt > now) {
    const retrying = state.emailProblem?.sendKey === sendKeyOf(ctx, a.attempt) ? ` (again: email ${state.emailProblem?.kind})` : '';
    const woke = await waitUntil(ctx, `${a.label} at ${instantText(sendAt, zone)}${retrying}`, {
      until: sendAt,
      alsoWakeOn: () => actionWaiting(ctx),
      mayHandOver: true,
    });
    if (woke === 'handover') return { kind: 'handover' };
    if (woke === 'skipped') return { kind: 'skip' };
    if (woke === 'changed') return { kind: 'again' };
  }
  // Re-read after the timer: a bad signal handled in this same workflow task is already in the state.
  if (askHold(ctx, a.channel) || stopRequested(ctx) || actionWaiting(ctx)) return { kind: 'again' };
  // Control of an experiment: tracked like everyone up to this moment; no contact slot, no send.
  if (heldOut(ctx)) {
    recordHeldOut(ctx, a.attempt);
    return { kind: 'held-out' };
  }

  const sendKey = sendKeyOf(ctx, a.attempt);
  // The owner is asked, not the customer: no slot of the customer's contact cap.
  if (ownerTask) return sendOwnerTask(ctx, a, sendKey, zone);
  ctx.state.nextAction = { what: `reserving a contact slot for ${a.label}`, at: iso(ctx.now()) };
  const def = ctx.def.contactPolicy;
  // A reservation key's decision is final (the contact policy answers a repeated key with its first decision),
  // so asking again after a refusal uses the next key of this ask.
  const slotKey = a.slotTry === 0 ? sendKey : `${sendKey}:slot-${a.slotTry}`;
  let slot: Awaited<ReturnType<typeof optional.reserveContactSlot>>;
  try {
    slot = await optional.reserveContactSlot.executeWithOptions(
      { startToCloseTimeout: '1 minute', summary: `contact slot for ${a.label}` },
      [
        {
          customerId: state.customerId,
          journeyId: ctx.plan.journeyId,
          sendKey: slotKey,
          at: iso(ctx.now()),
          journeyCap: def ? { maxAsks: def.maxAsks, periodMs: durationMs(def.period) } : undefined,
          quietHours: def?.quietHours,
          // The zone of the send window, so the customer workflow's quiet hours agree with it (its own traits may lack it).
          timezone: zone,
        },
      ],
    );
  } catch (err) {
    if (isCancellation(err)) throw err; // a bad signal or an operator cancelled the ask: askWhenAllowed reads why
    // The customer workflow did not answer within the retry bound: ask for the slot again later, never send without it.
    if (retriesExhausted(err)) {
      note(state, ctx.now(), `${a.label}: no contact slot decision (${failureMessage(err)}); asking again later`);
      return { kind: 'retry-at', at: ctx.now() + SLOT_RETRY_FALLBACK_MS };
    }
    note(state, ctx.now(), `${a.label} not sent: the contact slot was refused for good (${failureMessage(err)})`);
    return { kind: 'never' };
  }
  if (!slot.granted) {
    if (!slot.retryAt) {
      optOut(ctx, `contact policy: ${slot.reason ?? 'refused for good'}`, 'contact-policy', slot.optedOutBy);
      return { kind: 'never' };
    }
    note(state, ctx.now(), `${a.label} moved to ${slot.retryAt}: ${slot.reason ?? 'contact policy'}`);
    state.suppression.lastHeld = { reason: `contact policy: ${slot.reason ?? 'no slot'}`, at: iso(ctx.now()) };
    const parsed = Date.parse(slot.retryAt);
    const retry = Number.isFinite(parsed) && parsed > ctx.now() ? parsed : ctx.now() + SLOT_RETRY_FALLBACK_MS;
    askMoved(ctx, { attempt: a.attempt, sendKey }, ctx.now(), retry, `contact policy: ${slot.reason ?? 'no slot'}`);
    return { kind: 'retry-at', at: retry };
  }
  if (askHold(ctx, a.channel) || stopRequested(ctx)) return { kind: 'again' };

  const deliveries = deliveriesOf(ctx, a.plan, a.channel);
  // The slot covers the ask whichever way it goes: the prompt (state the product reads) goes up with it.
  if (deliveries.includes('in-product')) postPrompt(ctx, a.plan, a.attempt);
  if (!deliveries.includes('email')) return promptedOnly(ctx, a, sendKey);

  const req = askRequest(ctx, {
    sendKey,
    step: `invite:${state.motion}:${a.attempt}`,
    to: a.to,
    template: a.template,
    channel: a.channel,
    attempt: a.attempt,
    stream: a.channel === 'email' ? 'broadcast' : 'outbound',
  });
  try {
    // Once scheduled, the send finishes: a cancelled scope must not leave us unsure whether it went out.
    const result = await CancellationScope.nonCancellable(() =>
      email.sendEmail.executeWithOptions({ startToCloseTimeout: '1 minute', summary: a.label }, [req]),
    );
    recordSentEmail(ctx, req, result);
    const at = iso(ctx.now());
    state.asks.push({
      attempt: a.attempt,
      at,
      sendKey,
      channel: a.channel,
      template: templateName(a.template),
      to: a.channel === 'email' ? 'customer' : 'owner',
      status: result.status,
    });
    state.attempts = a.attempt;
    if (state.emailProblem) {
      // Email works again: whatever ask the problem was about, operators no longer need to see it.
      if (state.emailProblem.sendKey === sendKey)
        note(state, ctx.now(), `${a.label} sent after ${state.emailProblem.failures} failed tries (email ${state.emailProblem.kind})`);
      state.emailProblem = undefined;
    }
    state.history.asks++;
    state.history.lastAskAt = at;
    askSent(ctx, { attempt: a.attempt, sendKey }, { channel: a.channel, template: templateName(a.template), status: result.status });
    showProgress(ctx);
    return 'sent';
  } catch (err) {
    const type = failureType(err);
    if (type === EMAIL_FAILURE.inactiveRecipient || type === EMAIL_FAILURE.invalidAddress) {
      state.suppression.emailChannel = { reason: `${type}: ${failureMessage(err)}`, at: iso(ctx.now()) };
      track(ctx, 'suppressed', { rule: 'email-channel', reason: type });
      return { kind: 'never' };
    }
    if (type === EMAIL_FAILURE.configuration) return misconfigured(ctx, a, sendKey, failureMessage(err));
    // Retries ran out on failures that may pass (Postmark down, timeouts): keep the ask and plan it again later.
    if (retriesExhausted(err)) return misconfigured(ctx, a, sendKey, failureMessage(err), 'unavailable');
    note(state, ctx.now(), `${a.label} failed: ${type ?? 'error'}: ${failureMessage(err)}`);
    askFailed(ctx, { attempt: a.attempt, sendKey }, type ?? 'error', failureMessage(err));
    return { kind: 'never' };
  }
}

/** The ask went out as an in-product prompt only (channels ["in-product"]): recorded as an ask on that channel. */
function promptedOnly(ctx: RunContext, a: { attempt: number; template: Template; label: string }, sendKey: string): Step {
  const { state } = ctx;
  const at = iso(ctx.now());
  const template = templateName(a.template);
  state.asks.push({ attempt: a.attempt, at, sendKey, channel: 'in-product', template, to: 'customer', status: 'sent' });
  state.attempts = a.attempt;
  state.history.asks++;
  state.history.lastAskAt = at;
  askSent(ctx, { attempt: a.attempt, sendKey }, { channel: 'in-product', template, status: 'sent' });
  showProgress(ctx);
  return 'sent';
}

export function sendKeyOf(ctx: RunContext, attempt: number): string {
  return `${ctx.workflowId}:${ctx.state.cycle}:invite:${ctx.state.motion}:${attempt}`;
}
