// In-product prompts: an ask shown inside the product, beside or instead of its email (invite.channels). A prompt
// is state of the run, read by the product through GET /v1/customers/{id}/prompts (the journeyPrompts query); it
// goes out with its ask, under the ask's contact slot, send window and holds, and is withdrawn the moment a bad
// signal, an opt-out, a pause or a cancel arrives, or the ask's cycle moves on. The product reports shown, clicked
// and dismissed as events (prompt.*), each written to tracking; a click is engagement with the ask (ask.engaged).
import { isPatched } from './patch-check.ts';
import type { Invite } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { messageData, renderText } from '../../definitions/messages/message-data.ts';
import type { JourneyEvent } from '../contract/index.ts';
import { PATCH_REFERRER_UPDATES_AND_PROMPTS } from '../patches.ts';
import { iso, track, type RunContext } from './context.ts';
import { referralCodeOf } from './referral-code.ts';
import { note, type PromptEntry } from './state.ts';

export type Delivery = 'email' | 'in-product';

/** Whether this run may issue the commands of referrer updates and prompts (patch referrer-updates-and-prompts).
 *  Asked once, at the first point that needs it, never before: a history without the marker never got there. */
export function promptsAndUpdatesLive(ctx: RunContext): boolean {
  ctx.promptsAndUpdates ??= isPatched(ctx, PATCH_REFERRER_UPDATES_AND_PROMPTS);
  return ctx.promptsAndUpdates;
}

/** How an ask on `channel` reaches the customer: the invite's channels for the email channel; an owner task is an email. */
export function deliveriesOf(ctx: RunContext, invite: Invite, channel: 'email' | 'owner-outreach'): Delivery[] {
  const wanted: Delivery[] = channel === 'email' ? (invite.channels ?? ['email']) : ['email'];
  if (!wanted.includes('in-product') || !invite.prompt) return ['email'];
  // A run whose history predates the patch took the email-only path here.
  return promptsAndUpdatesLive(ctx) ? [...wanted] : ['email'];
}

export function promptIdOf(ctx: RunContext, attempt: number): string {
  return `${ctx.plan.journeyId}/${ctx.state.cycle}/${ctx.state.motion}/${attempt}`;
}

/** Posts the prompt of ask `attempt` (its slot is granted): it replaces the run's earlier prompt. Idempotent by id. */
export function postPrompt(ctx: RunContext, invite: Invite, attempt: number): PromptEntry | undefined {
  const { state } = ctx;
  const id = promptIdOf(ctx, attempt);
  const existing = state.prompts?.find((p) => p.id === id);
  if (existing || !invite.prompt || !state.motion) return existing;
  const motionPlan = ctx.def.motions[state.motion];
  const model = messageData({
    step: 'prompt',
    journeyName: ctx.plan.name,
    journeyId: ctx.plan.journeyId,
    customerId: state.customerId,
    traits: state.traits,
    traitDefaults: ctx.def.traitDefaults,
    motion: state.motion,
    motionPlan,
    event: state.delight?.data,
    referralCode: referralCodeOf(state),
    attempt,
  });
  const now = ctx.now();
  const firstAsk = state.asks[0] ? Date.parse(state.asks[0].at) : now;
  const deadline = firstAsk + durationMs(motionPlan.activate.timeout);
  const own = invite.prompt.expiresAfter ? now + durationMs(invite.prompt.expiresAfter) : deadline;
  const prompt: PromptEntry = {
    id,
    motion: state.motion,
    cycle: state.cycle,
    attempt,
    text: renderText(invite.prompt.text, model),
    actionLabel: renderText(invite.prompt.actionLabel, model),
    ...(typeof model.actionLink === 'string' ? { actionLink: model.actionLink } : {}),
    postedAt: iso(now),
    expiresAt: iso(Math.min(own, deadline)),
  };
  const replaced = (state.prompts ?? []).map((p) => p.id);
  state.prompts = [prompt];
  track(ctx, 'prompt.posted', { promptId: id, attempt, expiresAt: prompt.expiresAt, ...(replaced.length ? { replaces: replaced } : {}) });
  return prompt;
}

/** The prompts the product should show now (workflow time): posted, not expired, not dismissed, not withdrawn. */
export function currentPrompts(ctx: RunContext): PromptEntry[] {
  const now = ctx.now();
  return (ctx.state.prompts ?? []).filter((p) => Date.parse(p.expiresAt) > now);
}

/** Takes every prompt down at once, each recorded as withdrawn with why. No prompt, no record (and no command). */
export function withdrawPrompts(ctx: RunContext, reason: string): void {
  const prompts = ctx.state.prompts;
  if (!prompts?.length) return;
  ctx.state.prompts = [];
  for (const p of prompts) {
    const expired = Date.parse(p.expiresAt) <= ctx.now();
    track(ctx, 'prompt.withdrawn', { promptId: p.id, attempt: p.attempt, reason: expired ? `expired (${reason})` : reason });
  }
  note(ctx.state, ctx.now(), `in-product prompt withdrawn: ${reason}`);
}

/** prompt.shown / clicked / dismissed from the product: always recorded (a late one too, marked not current). */
export function takePromptEvent(ctx: RunContext, event: JourneyEvent): void {
  const promptId = String(event.data?.promptId ?? '');
  const prompt = ctx.state.prompts?.find((p) => p.id === promptId);
  const facts = {
    promptId,
    eventId: event.id,
    current: Boolean(prompt) && Date.parse(prompt!.expiresAt) > ctx.now(),
    ...(typeof event.data?.surface === 'string' ? { surface: event.data.surface.slice(0, 100) } : {}),
  };
  if (event.type === 'prompt.shown') {
    if (prompt) prompt.shownAt ??= iso(ctx.now());
    track(ctx, 'prompt.shown', facts);
  } else if (event.type === 'prompt.clicked') {
    if (prompt) prompt.clickedAt ??= iso(ctx.now());
    track(ctx, 'prompt.clicked', facts);
    // A click is engagement with the ask, as an email click will be (the referral-prompt-interaction-rate KPI).
    track(ctx, 'ask.engaged', { ...facts, channel: 'in-product', attempt: prompt?.attempt });
  } else if (event.type === 'prompt.dismissed') {
    if (prompt) ctx.state.prompts = ctx.state.prompts!.filter((p) => p !== prompt);
    track(ctx, 'prompt.dismissed', facts);
  }
}
