// Global suppression and opt-out from bad events in the catalog, honoured by every journey of the customer
// through reserveContactSlot. Pure. Per-journey rules (cool-downs, whileOpen) stay in each journey's plan;
// these are the floor that holds across all of them.
import type { JourneyEvent } from '../messages.ts';

export interface SuppressionState {
  optedOut?: { reason: string; at: string };
  /** A timed hold: no ask before `until`. */
  hold?: { reason: string; until: string };
  /** Open escalations by id; nothing is asked while any is open. */
  openIssues: Record<string, { openedAt: string }>;
}

const DAY = 86_400_000;
/** Event → what it does to every journey's asks. */
const RULES: { event: string; applies?: (e: JourneyEvent) => boolean; effect: 'opt-out' | 'hold'; days?: number; reason: string }[] = [
  { event: 'customer.opted_out', effect: 'opt-out', reason: 'customer opted out' },
  { event: 'email.spam_complaint', effect: 'opt-out', reason: 'spam complaint' },
  { event: 'email.bounced', effect: 'opt-out', reason: 'email address bounced' },
  { event: 'nps.submitted', applies: (e) => Number(e.data?.score) <= 6, effect: 'hold', days: 30, reason: 'NPS detractor' },
  { event: 'csat.submitted', applies: (e) => Number(e.data?.score) <= 2, effect: 'hold', days: 14, reason: 'low CSAT' },
  { event: 'payment.failed', effect: 'hold', days: 14, reason: 'payment failed' },
  { event: 'churn.risk_flagged', effect: 'hold', days: 30, reason: 'churn risk' },
  { event: 'qbr.completed', applies: (e) => e.data?.sentiment === 'negative', effect: 'hold', days: 30, reason: 'negative QBR' },
];
const AFTER_ESCALATION_DAYS = 7;

export function emptySuppression(): SuppressionState {
  return { openIssues: {} };
}

function extendHold(state: SuppressionState, untilMs: number, reason: string): SuppressionState {
  if (state.hold && Date.parse(state.hold.until) >= untilMs) return state;
  return { ...state, hold: { reason, until: new Date(untilMs).toISOString() } };
}

export function applySuppressionEvent(state: SuppressionState, event: JourneyEvent, nowMs: number): SuppressionState {
  if (event.type === 'escalation.opened') {
    const id = String(event.data?.escalationId ?? event.id);
    return { ...state, openIssues: { ...state.openIssues, [id]: { openedAt: new Date(nowMs).toISOString() } } };
  }
  if (event.type === 'escalation.resolved') {
    const id = String(event.data?.escalationId ?? '');
    const openIssues = { ...state.openIssues };
    if (id in openIssues) delete openIssues[id];
    else delete openIssues[Object.keys(openIssues).sort((a, b) => openIssues[a].openedAt.localeCompare(openIssues[b].openedAt))[0]];
    return extendHold({ ...state, openIssues }, nowMs + AFTER_ESCALATION_DAYS * DAY, 'escalation resolved, cool-down');
  }
  let next = state;
  for (const rule of RULES) {
    if (rule.event !== event.type || (rule.applies && !rule.applies(event))) continue;
    if (rule.effect === 'opt-out') next = next.optedOut ? next : { ...next, optedOut: { reason: rule.reason, at: new Date(nowMs).toISOString() } };
    else next = extendHold(next, nowMs + (rule.days ?? 14) * DAY, rule.reason);
  }
  return next;
}

/** What reserveContactSlot sees: opted out, or suppressed until a time / while an issue is open. */
export function currentSuppression(state: SuppressionState, nowMs: number): { optedOut?: { reason: string }; suppressed?: { reason: string; until?: string } } {
  const open = Object.keys(state.openIssues);
  const suppressed = open.length > 0
    ? { reason: `open escalation ${open.join(', ')}` }
    : state.hold && Date.parse(state.hold.until) > nowMs ? { reason: state.hold.reason, until: state.hold.until } : undefined;
  return { optedOut: state.optedOut, suppressed };
}
