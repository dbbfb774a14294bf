// The journeyEvent signal handler: take each event once (by id), merge its traits, and apply at once what must
// not wait for a stage (suppression, open issues, conversions, reversals). Delight and action events go to the
// inbox for the stage that consumes them. Bad data is noted and ignored, never thrown (a throwing signal
// handler would fail the run); so is an event this run must not act on (event-check.ts: another customer's, a type
// the journey does not take, data its catalog schema refuses).
import type { JourneyEvent } from '../contract/index.ts';
import { holds } from './conditions.ts';
import { wake, type RunContext } from './context.ts';
import { historyView, note, SEEN_EVENT_IDS_MAX } from './state.ts';
import { applyBadSignal, openIssue, resolveIssue } from './suppression.ts';
import { recordConversion, recordReferralSubmitted, recordReversal } from './attribution.ts';
import { recordNpsAnswer } from './nps.ts';
import { refusalOf } from './event-check.ts';
import { takePromptEvent } from './prompts.ts';
import { takeOwnerTaskAnswer } from './owner-task-answer.ts';
import { isActionEvent, recordIgnoredAction } from './ignored-actions.ts';
import { queueForStages } from './inbox.ts';
import { recordActionIgnoredOptedOut, recordIgnoredEvent, recordsUnappliedEvents, revokedCodeRefusal } from './unapplied-events.ts';

function isEvent(e: unknown): e is JourneyEvent {
  const x = e as JourneyEvent;
  return (
    Boolean(x) && typeof x.id === 'string' && x.id.length > 0 && typeof x.type === 'string' && typeof x.data === 'object' && x.data !== null
  );
}

export function conditionScope(ctx: RunContext, event: JourneyEvent | undefined) {
  return { event: (event?.data ?? {}) as Record<string, unknown>, traits: ctx.state.traits, history: historyView(ctx.state, ctx.now()) };
}

/** Whether the run already took this event id (the bounded set survives continue-as-new); marks it taken. */
export function alreadySeen(ctx: RunContext, id: string): boolean {
  if (ctx.state.seenEventIds.includes(id)) return true;
  ctx.state.seenEventIds.push(id);
  if (ctx.state.seenEventIds.length > SEEN_EVENT_IDS_MAX) ctx.state.seenEventIds.shift();
  return false;
}

/** The plan's rules that hold across stages: bad signals (hold / exit / opt-out) and "not while open" issues. Also
 *  applied to the facts a run reads when it starts (start-facts.ts), as of the time each happened. */
export function applyStandingRules(ctx: RunContext, event: JourneyEvent): void {
  const def = ctx.def;
  const scope = conditionScope(ctx, event);
  def.suppression.signals.forEach((rule, i) => {
    if (rule.event === event.type && holds(rule.when, scope, `/suppression/signals/${i}/when`)) applyBadSignal(ctx, rule, event);
  });
  for (const rule of def.suppression.whileOpen ?? []) {
    if (rule.openedBy === event.type) openIssue(ctx, rule, event);
    if (rule.resolvedBy === event.type) resolveIssue(ctx, rule, event);
  }
}

function afterOptOutApplied(ctx: RunContext): boolean {
  return Boolean(ctx.state.suppression.optedOut) && (ctx.state.stage === 'opted-out' || ctx.optOutApplied === true);
}

export function takeEvent(ctx: RunContext, event: JourneyEvent): void {
  const now = ctx.now();
  if (!isEvent(event)) {
    note(ctx.state, now, `ignored a malformed event: ${JSON.stringify(event)?.slice(0, 200)}`);
    return;
  }
  // Checked before the id is taken: a refused event does nothing, and a corrected resend with its id still counts.
  const refusal = refusalOf(ctx, event);
  if (refusal) {
    note(ctx.state, now, `refused ${event.type.slice(0, 80)} ${event.id.slice(0, 80)}: ${refusal}`);
    return;
  }
  if (alreadySeen(ctx, event.id)) return;
  const revoked = revokedCodeRefusal(ctx, event);
  if (revoked) {
    recordIgnoredEvent(ctx, event, 'code-revoked', revoked);
    return;
  }
  if (event.traits && typeof event.traits === 'object') Object.assign(ctx.state.traits, event.traits);
  recordNpsAnswer(ctx, event);

  applyStandingRules(ctx, event);
  const def = ctx.def;
  for (const rule of def.track.conversions) if (rule.event === event.type) recordConversion(ctx, rule, event);
  const reversalEvents = Object.values(def.motions).flatMap((m) => m.reward?.reversal?.events ?? []);
  if (reversalEvents.includes(event.type)) recordReversal(ctx, event);
  if (event.type === 'referral.submitted') recordReferralSubmitted(ctx, event);
  if (ctx.plan.routing.prompts?.includes(event.type)) takePromptEvent(ctx, event);
  // Only a plan with owner tasks routes these (plan.routing.ownerTasks); refusalOf turns them away elsewhere.
  if (ctx.plan.routing.ownerTasks?.includes(event.type)) takeOwnerTaskAnswer(ctx, event);

  const forStages =
    def.listen.signals.some((s) => s.event === event.type) ||
    Object.values(def.motions).some((m) => m.activate.actions.some((a) => a.event === event.type));
  // A tombstone (stage ended) never acts again, and no stage of it reads the inbox: queued there, an advocate's
  // events of years would only be carried from history to history (50 of up to 256 KB each: past the 2 MB limit).
  // What it must keep of them is above: the id in the dedupe set, the facts recorded as they came.
  if (forStages && !ctx.state.ended) {
    // An action that comes after the stage loop applied the customer's opt-out: no stage will take it (one heard
    // before, even in the same workflow task, is honoured: journey/opt-out-honour.ts).
    if (afterOptOutApplied(ctx) && isActionEvent(ctx, event) && recordsUnappliedEvents(ctx)) {
      recordActionIgnoredOptedOut(ctx, event);
      return;
    }
    queueForStages(ctx, event);
    wake(ctx);
  }
  // An action no stage of an ended run will take: recorded with why, not lost.
  if (ctx.state.ended) recordIgnoredAction(ctx, event, `the journey ended: ${ctx.state.ended.reason}`.slice(0, 300));
}
