// Global suppression and opt-out from bad events in the catalog, honoured by every journey of the customer
// through reserveContactSlot. Pure. Per-journey rules (cool-downs, whileOpen) stay in each journey's plan;
// these are the floor that holds across all of them. The rules come from the contact policy
// (definitions/contact-policy.json), which travels as the customer workflow's input.
import type { JourneyEvent } from '../contract/index.ts';
import jsonLogic from 'json-logic-js';

export interface SuppressionState {
  /** `by`: the operator action's actor (UNSUBSCRIBE_LINK_ACTOR for the recipient's own unsubscribe link). */
  optedOut?: { reason: string; at: string; by?: string };
  /** A timed hold: no ask before `until`. */
  hold?: { reason: string; until: string };
  /** Open escalations by id; nothing is asked while any is open. */
  openIssues: Record<string, { openedAt: string }>;
}

/** One rule: an event (matching `when`, JSON Logic over { event: { type, data }, traits }) opts out or holds. */
export interface SuppressionRule {
  event: string;
  when?: unknown;
  effect: 'opt-out' | 'hold';
  /** How long a hold lasts. */
  holdMs?: number;
  reason: string;
}
export interface SuppressionPolicy {
  rules: SuppressionRule[];
  /** Cool-down after escalation.resolved (an open escalation holds everything while open). */
  afterEscalationResolvedMs: number;
}

function ruleApplies(rule: SuppressionRule, event: JourneyEvent, traits: Record<string, unknown>): boolean {
  if (rule.event !== event.type) return false;
  if (rule.when === undefined) return true;
  return Boolean(jsonLogic.apply(rule.when as jsonLogic.RulesLogic, { event: { type: event.type, data: event.data ?? {} }, traits }));
}

export function emptySuppression(): SuppressionState {
  return { openIssues: {} };
}

function extendHold(state: SuppressionState, untilMs: number, reason: string): SuppressionState {
  if (state.hold && Date.parse(state.hold.until) >= untilMs) return state;
  return { ...state, hold: { reason, until: new Date(untilMs).toISOString() } };
}

export function applySuppressionEvent(
  state: SuppressionState,
  event: JourneyEvent,
  nowMs: number,
  policy: SuppressionPolicy,
  traits: Record<string, unknown> = {},
): SuppressionState {
  if (event.type === 'escalation.opened') {
    const id = String(event.data?.escalationId ?? event.id);
    return { ...state, openIssues: { ...state.openIssues, [id]: { openedAt: new Date(nowMs).toISOString() } } };
  }
  if (event.type === 'escalation.resolved') {
    const id = String(event.data?.escalationId ?? '');
    const openIssues = { ...state.openIssues };
    if (id in openIssues) delete openIssues[id];
    else delete openIssues[Object.keys(openIssues).sort((a, b) => openIssues[a].openedAt.localeCompare(openIssues[b].openedAt))[0]];
    return extendHold({ ...state, openIssues }, nowMs + policy.afterEscalationResolvedMs, 'escalation resolved, cool-down');
  }
  let next = state;
  for (const rule of policy.rules) {
    if (!ruleApplies(rule, event, traits)) continue;
    if (rule.effect === 'opt-out')
      next = next.optedOut ? next : { ...next, optedOut: { reason: rule.reason, at: new Date(nowMs).toISOString() } };
    else next = extendHold(next, nowMs + (rule.holdMs ?? 14 * 86_400_000), rule.reason);
  }
  return next;
}

/** What reserveContactSlot sees: opted out, or suppressed until a time / while an issue is open. */
export function currentSuppression(
  state: SuppressionState,
  nowMs: number,
): { optedOut?: { reason: string; by?: string }; suppressed?: { reason: string; until?: string } } {
  const open = Object.keys(state.openIssues);
  const suppressed =
    open.length > 0
      ? { reason: `open escalation ${open.join(', ')}` }
      : state.hold && Date.parse(state.hold.until) > nowMs
        ? { reason: state.hold.reason, until: state.hold.until }
        : undefined;
  return { optedOut: state.optedOut, suppressed };
}
