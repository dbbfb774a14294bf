// Suppression, honoured at every stage: bad signals (hold / exit / opt-out), "not while open" issues with their
// cool-down after resolve, operator pause, and a dead email address. The signal handler applies them at once
// and cancels the pending ask's scope, so a timer about to fire or a send not yet started never goes out.
import type { JourneyEvent } from '../contract/index.ts';
import type { NotWhileOpenRule, SuppressionSignal } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import { iso, npsOf, track, trackIfLive, wake, type RunContext } from './context.ts';
import { note } from './state.ts';
import { withdrawPrompts } from './prompts.ts';

const FALLBACK_COOL_DOWN = 'P30D';

function coolDownMs(ctx: RunContext, own: string | undefined): number {
  return durationMs(own ?? ctx.def.suppression.defaultCoolDown ?? FALLBACK_COOL_DOWN);
}

/** Stop whatever ask is pending: its wait, its contact-slot request, or a send not yet scheduled. */
export function cancelPendingAsk(ctx: RunContext, why: string): void {
  // An in-product prompt already showing is the ask too: it comes down at once.
  withdrawPrompts(ctx, why);
  if (ctx.pendingAsk) {
    ctx.pendingAsk.cancel();
    note(ctx.state, ctx.now(), `pending ask cancelled: ${why}`);
  }
  wake(ctx);
}

/** The customer opted out (a bad signal, an operator, the contact policy refusing for good): for good, tracked once. */
/** `by`: who opted the customer out (an operator's actor, UNSUBSCRIBE_LINK_ACTOR for the recipient's own link). */
export function optOut(ctx: RunContext, reason: string, source: 'event' | 'operator' | 'contact-policy', by?: string): void {
  if (ctx.state.suppression.optedOut) return;
  ctx.state.suppression.optedOut = { reason, at: iso(ctx.now()), ...(by ? { by } : {}) };
  trackIfLive(ctx, 'opted-out', { reason, source });
  withdrawPrompts(ctx, `opted out: ${reason}`);
}

export function applyBadSignal(ctx: RunContext, rule: SuppressionSignal, event: JourneyEvent): void {
  const now = ctx.now();
  const reason = rule.reason ?? rule.id;
  const s = ctx.state.suppression;
  s.lastHeld = { reason: `${rule.id}: ${reason} (event ${event.id})`, at: iso(now) };
  // The hold's end, for the record (the report and `journey simulate` show when it ends).
  let until: string | undefined;
  if (rule.effect === 'hold') {
    const end = now + coolDownMs(ctx, rule.coolDown);
    if (!s.hold || Date.parse(s.hold.until) < end) s.hold = { rule: rule.id, reason, until: iso(end), at: iso(now) };
    until = s.hold.until;
  } else if (rule.effect === 'exit') {
    ctx.exitRequested = { reason: `${rule.id}: ${reason}` };
  }
  track(ctx, 'suppressed', { rule: rule.id, effect: rule.effect, reason, until, eventId: event.id, ...npsOf(event) });
  if (rule.effect === 'opt-out') optOut(ctx, `${rule.id}: ${reason}`, 'event');
  cancelPendingAsk(ctx, `${rule.id} (${reason})`);
}

export function openIssue(ctx: RunContext, rule: NotWhileOpenRule, event: JourneyEvent): void {
  const key = rule.matchOn ? String(event.data?.[rule.matchOn] ?? '') || undefined : undefined;
  const reason = rule.reason ?? rule.id;
  ctx.state.suppression.openIssues.push({ rule: rule.id, key, openedAt: iso(ctx.now()), reason });
  ctx.state.suppression.lastHeld = { reason: `${rule.id}: ${reason} opened (event ${event.id})`, at: iso(ctx.now()) };
  track(ctx, 'suppressed', { rule: rule.id, effect: 'while-open', reason, key, eventId: event.id, ...npsOf(event) });
  cancelPendingAsk(ctx, `${rule.id} opened`);
}

export function resolveIssue(ctx: RunContext, rule: NotWhileOpenRule, event: JourneyEvent): void {
  const issues = ctx.state.suppression.openIssues;
  const key = rule.matchOn ? String(event.data?.[rule.matchOn] ?? '') || undefined : undefined;
  // With matchOn, only the issue with that key; without it (or no key on the event), the oldest of this rule.
  const index = issues.findIndex((i) => i.rule === rule.id && (key === undefined || i.key === key));
  if (index < 0) {
    note(ctx.state, ctx.now(), `${event.type} ${event.id} resolves no open ${rule.id}${key ? ` ${key}` : ''}`);
    return;
  }
  const [resolved] = issues.splice(index, 1);
  const until = ctx.now() + coolDownMs(ctx, rule.coolDown);
  const previous = ctx.state.suppression.afterResolve;
  if (!previous || Date.parse(previous.until) < until) {
    ctx.state.suppression.afterResolve = { rule: rule.id, reason: `cool-down after ${rule.reason ?? rule.id} resolved`, until: iso(until) };
  }
  trackIfLive(ctx, 'suppression.resolved', {
    rule: rule.id,
    key: resolved.key,
    reason: resolved.reason,
    openedAt: resolved.openedAt,
    eventId: event.id,
    coolDownUntil: ctx.state.suppression.afterResolve!.until,
    stillOpen: issues.length,
  });
  wake(ctx);
}

export interface AskHold {
  /** hold: a bad signal ended this cycle's asks; wait: asks resume after `until` (or a resolve / resume); never: for good. */
  kind: 'hold' | 'wait' | 'never';
  reason: string;
  until?: number;
}

/** Why an ask on `channel` may not go out now, or undefined when it may. */
export function askHold(ctx: RunContext, channel: 'email' | 'owner-outreach'): AskHold | undefined {
  const s = ctx.state.suppression;
  const now = ctx.now();
  if (ctx.cancelRequested) return { kind: 'never', reason: `run cancelled: ${ctx.cancelRequested.reason}` };
  if (ctx.exitRequested) return { kind: 'never', reason: `exit: ${ctx.exitRequested.reason}` };
  if (s.optedOut) return { kind: 'never', reason: `opted out: ${s.optedOut.reason}` };
  if (channel === 'email' && s.emailChannel) return { kind: 'never', reason: `email channel suppressed: ${s.emailChannel.reason}` };
  if (s.hold && Date.parse(s.hold.until) > now)
    return { kind: 'hold', reason: `${s.hold.rule}: ${s.hold.reason}`, until: Date.parse(s.hold.until) };
  if (ctx.state.paused)
    return { kind: 'wait', reason: `paused by operator${ctx.state.paused.reason ? `: ${ctx.state.paused.reason}` : ''}` };
  if (s.openIssues.length > 0) {
    const i = s.openIssues[0];
    return { kind: 'wait', reason: `not while open: ${i.reason}${i.key ? ` (${i.key})` : ''}` };
  }
  if (s.afterResolve && Date.parse(s.afterResolve.until) > now) {
    return { kind: 'wait', reason: s.afterResolve.reason, until: Date.parse(s.afterResolve.until) };
  }
  return undefined;
}

/** Why a delight signal may not start a cycle now: a bad-signal hold, an exit or an opt-out (open issues only delay asks). */
export function delightBlocked(ctx: RunContext): string | undefined {
  const h = askHold(ctx, 'owner-outreach');
  return h && h.kind !== 'wait' ? h.reason : undefined;
}
