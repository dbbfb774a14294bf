// The one contact policy across all journeys of a customer: a global frequency cap, quiet hours in the
// customer's zone, global opt-out and global suppression. Pure: the customer workflow calls it inside its
// reserveContactSlot update, so one decision is made at a time for each customer.
import type { ContactSlotDecision, ContactSlotRequest } from '../messages.ts';
import { isQuietAt, quietHoursEnd, type QuietHours } from './quiet-hours.ts';

export interface GlobalContactPolicy {
  /** Most asks across every journey in the rolling period. */
  maxAsks: number;
  periodMs: number;
  /** Local times (HH:MM) in the customer's zone; no ask between start and end. */
  quietHours?: QuietHours;
  /** Zone when traits.timezone is missing. */
  defaultTimezone: string;
  /** How long to wait before asking again while an issue is open (no known end). */
  openIssueRecheckMs: number;
}

export const DEFAULT_CONTACT_POLICY: GlobalContactPolicy = {
  maxAsks: 1,
  periodMs: 7 * 86_400_000,
  quietHours: { start: '21:00', end: '08:00' },
  defaultTimezone: 'UTC',
  openIssueRecheckMs: 86_400_000,
};

/** An ask that got a slot. */
export interface GrantedAsk {
  sendKey: string;
  journeyId: string;
  at: string;
}

export interface ContactFacts {
  optedOut?: { reason: string };
  /** Globally suppressed until this time (ISO), or while an issue is open (`until` absent). */
  suppressed?: { reason: string; until?: string };
  timezone?: string;
  history: GrantedAsk[];
}

/** Whether an ask at `t` keeps every rolling window that contains it within `max` (asks may lie before or after `t`). */
function fitsCap(times: number[], max: number, periodMs: number, t: number): boolean {
  const starts = [t, ...times.filter((a) => a > t - periodMs && a <= t)];
  return starts.every((w) => times.filter((a) => a >= w && a < w + periodMs).length < max);
}

/** Earliest time at or after `fromMs` when one more ask fits the cap: `fromMs` itself, or when some ask leaves the window. */
function capFreeAt(asks: GrantedAsk[], max: number, periodMs: number, fromMs: number): number {
  const times = asks.map((a) => Date.parse(a.at));
  const candidates = [fromMs, ...times.map((a) => a + periodMs).filter((c) => c > fromMs)].sort((a, b) => a - b);
  return candidates.find((c) => fitsCap(times, max, periodMs, c)) ?? fromMs;
}

/** Decides one slot. The caller records a granted ask in `history`. */
export function decideContactSlot(req: ContactSlotRequest, facts: ContactFacts, policy: GlobalContactPolicy): ContactSlotDecision {
  if (facts.optedOut) return { granted: false, reason: `opted-out: ${facts.optedOut.reason}` };
  const atMs = Date.parse(req.at);
  if (Number.isNaN(atMs)) return { granted: false, reason: `bad request: at is not an ISO time (${JSON.stringify(req.at)})` };
  const zone = facts.timezone ?? policy.defaultTimezone;
  const reasons: string[] = [];
  let earliest = atMs;
  if (facts.suppressed) {
    const until = facts.suppressed.until ? Date.parse(facts.suppressed.until) : atMs + policy.openIssueRecheckMs;
    if (until > earliest) { earliest = until; reasons.push(`suppressed: ${facts.suppressed.reason}`); }
  }
  // Caps are monotone in time, and quiet hours only push later, so a fixed point is reached in a few rounds.
  for (let round = 0; round < 8; round++) {
    const before = earliest;
    const globalFree = capFreeAt(facts.history, policy.maxAsks, policy.periodMs, earliest);
    if (globalFree > earliest) { earliest = globalFree; reasons.push(`global cap: ${policy.maxAsks} ask(s) per ${policy.periodMs / 3_600_000}h across journeys`); }
    if (req.journeyCap) {
      const own = facts.history.filter((a) => a.journeyId === req.journeyId);
      const journeyFree = capFreeAt(own, req.journeyCap.maxAsks, req.journeyCap.periodMs, earliest);
      if (journeyFree > earliest) { earliest = journeyFree; reasons.push(`journey cap: ${req.journeyCap.maxAsks} ask(s) per ${req.journeyCap.periodMs / 3_600_000}h`); }
    }
    for (const quiet of [policy.quietHours, req.quietHours]) {
      if (quiet && isQuietAt(earliest, quiet, zone)) {
        earliest = quietHoursEnd(earliest, quiet, zone);
        reasons.push(`quiet hours ${quiet.start}-${quiet.end} ${zone}`);
      }
    }
    if (earliest === before) break;
  }
  if (earliest === atMs) return { granted: true, reason: 'within policy' };
  return { granted: false, retryAt: new Date(earliest).toISOString(), reason: [...new Set(reasons)].join('; ') };
}
