// The facts of an ask for the tracking log, besides `ask.sent`: its send time moved (the send window, the contact
// policy), held (paused, an open issue, a cool-down) or cancelled. A wait is planned again whenever the run wakes,
// so a move is recorded only when the planned time or its reason changes (state.plannedSend, carried over a
// handover), never once per wake-up.
import type { SendWindow } from '../../definitions/generated/journey.ts';
import { iso, track, trackIfLive, type RunContext } from '../journey/context.ts';

/** The ask's identity in this run's chain: not its send key, which holds the workflow id (a replay may run under another). */
function askOf(ctx: RunContext, attempt: number): string {
  return `${ctx.state.cycle}:${ctx.state.motion ?? ''}:${attempt}`;
}

function changed(ctx: RunContext, attempt: number, at: string | undefined, reason: string): { before?: string } | undefined {
  const ask = askOf(ctx, attempt);
  const last = ctx.state.plannedSend;
  if (last?.ask === ask && last.at === at && last.reason === reason) return undefined;
  ctx.state.plannedSend = { ask, at, reason };
  return { before: last?.ask === ask ? last.at : undefined };
}

/** The ask due at `dueMs` goes out at `toMs` instead, for `reason`. */
export function askMoved(ctx: RunContext, a: { attempt: number; sendKey: string }, dueMs: number, toMs: number, reason: string): void {
  const to = iso(toMs);
  const change = changed(ctx, a.attempt, to, reason);
  if (change) trackIfLive(ctx, 'ask.moved', { attempt: a.attempt, sendKey: a.sendKey, from: change.before ?? iso(dueMs), to, reason });
}

/** The ask waits for something other than a time (a pause, an open issue) or until a cool-down's end (`untilMs`). */
export function askHeld(ctx: RunContext, a: { attempt: number; sendKey: string }, reason: string, untilMs?: number): void {
  const until = untilMs === undefined ? undefined : iso(untilMs);
  if (changed(ctx, a.attempt, until, reason)) trackIfLive(ctx, 'ask.held', { attempt: a.attempt, sendKey: a.sendKey, reason, until });
}

/** The ask will not go out in this cycle (a bad signal's hold, an opt-out, an exit, no address). */
export function askCancelled(ctx: RunContext, a: { attempt: number; sendKey: string }, reason: string): void {
  ctx.state.plannedSend = undefined;
  trackIfLive(ctx, 'ask.cancelled', { attempt: a.attempt, sendKey: a.sendKey, reason });
}

export function askSent(
  ctx: RunContext,
  a: { attempt: number; sendKey: string },
  sent: { channel: 'email' | 'owner-outreach' | 'in-product'; template: string; status: 'sent' | 'already-sent' },
): void {
  ctx.state.plannedSend = undefined;
  const to = sent.channel === 'owner-outreach' ? 'owner' : 'customer';
  track(ctx, 'ask.sent', {
    attempt: a.attempt,
    sendKey: a.sendKey,
    channel: sent.channel,
    template: sent.template,
    to,
    status: sent.status,
  });
}

/** The email activity refused the ask for good (not a configuration problem, which is retried: ask.failed with failures). */
export function askFailed(ctx: RunContext, a: { attempt: number; sendKey: string }, reason: string, message: string): void {
  trackIfLive(ctx, 'ask.failed', { attempt: a.attempt, sendKey: a.sendKey, reason, message: message.slice(0, 300) });
}

export function windowReason(window: SendWindow, zone: string): string {
  return `send window ${window.days.join(',')} ${window.start}-${window.end} (${zone})`;
}
