// The one contact policy across all journeys of a customer: a global frequency cap, quiet hours in the
// customer's zone, global opt-out and global suppression. Pure: the customer workflow calls it inside its
// reserveContactSlot update, so one decision is made at a time for each customer.
import type { ContactSlotDecision, ContactSlotRequest } from '../contract/index.ts';
import type { ContactPolicy } from '../../definitions/contact-policy.ts';
import shippedPolicyFile from '../../definitions/contact-policy.json' with { type: 'json' };
import { durationMs } from '../../definitions/duration.ts';
import { capText } from '../../definitions/readable.ts';
import { isQuietAt, quietHoursEnd, type QuietHours } from './quiet-hours.ts';
import type { SuppressionPolicy } from './global-suppression.ts';

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

/**
 * The policy in the form the decisions use (milliseconds), from the checked file shape that travels as the
 * customer workflow's input (definitions/contact-policy.json, loaded by the worker and the API). Pure.
 */
export function resolveContactPolicy(p: ContactPolicy): { contact: GlobalContactPolicy; suppression: SuppressionPolicy } {
  return {
    contact: {
      maxAsks: p.frequencyCap.maxAsks,
      periodMs: durationMs(p.frequencyCap.period),
      ...(p.quietHours ? { quietHours: p.quietHours } : {}),
      defaultTimezone: p.defaultTimezone,
      openIssueRecheckMs: durationMs(p.openIssueRecheck),
    },
    suppression: {
      afterEscalationResolvedMs: durationMs(p.suppression.afterEscalationResolved),
      rules: p.suppression.rules.map((r) => ({
        event: r.event,
        when: r.when,
        effect: r.effect,
        reason: r.reason,
        ...(r.effect === 'hold' ? { holdMs: durationMs(r.coolDown ?? 'P14D') } : {}),
      })),
    },
  };
}

/**
 * The shipped file, bundled (not read at run time): the policy of a customer workflow started without one in its
 * input (runs started before the policy travelled as input, tests that start the workflow directly). The worker
 * and the API always pass the policy they loaded.
 */
export const SHIPPED_CONTACT_POLICY: ContactPolicy = (({ $schema: _s, $comment: _c, ...policy }) => policy as unknown as ContactPolicy)(
  shippedPolicyFile,
);
export const DEFAULT_CONTACT_POLICY: GlobalContactPolicy = resolveContactPolicy(SHIPPED_CONTACT_POLICY).contact;

/** An ask that got a slot. */
export interface GrantedAsk {
  sendKey: string;
  journeyId: string;
  at: string;
}

export interface ContactFacts {
  optedOut?: { reason: string; by?: string };
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
  if (facts.optedOut)
    return {
      granted: false,
      reason: `opted-out: ${facts.optedOut.reason}`,
      ...(facts.optedOut.by ? { optedOutBy: facts.optedOut.by } : {}),
    };
  const atMs = Date.parse(req.at);
  if (Number.isNaN(atMs)) return { granted: false, reason: `bad request: at is not an ISO time (${JSON.stringify(req.at)})` };
  const zone = facts.timezone ?? policy.defaultTimezone;
  const reasons: string[] = [];
  let earliest = atMs;
  if (facts.suppressed) {
    const until = facts.suppressed.until ? Date.parse(facts.suppressed.until) : atMs + policy.openIssueRecheckMs;
    if (until > earliest) {
      earliest = until;
      reasons.push(`suppressed: ${facts.suppressed.reason}`);
    }
  }
  // Caps are monotone in time, and quiet hours only push later, so a fixed point is reached in a few rounds.
  for (let round = 0; round < 8; round++) {
    const before = earliest;
    const globalFree = capFreeAt(facts.history, policy.maxAsks, policy.periodMs, earliest);
    if (globalFree > earliest) {
      earliest = globalFree;
      reasons.push(`global cap: ${capText(policy.maxAsks, policy.periodMs)} across journeys`);
    }
    if (req.journeyCap) {
      const own = facts.history.filter((a) => a.journeyId === req.journeyId);
      const journeyFree = capFreeAt(own, req.journeyCap.maxAsks, req.journeyCap.periodMs, earliest);
      if (journeyFree > earliest) {
        earliest = journeyFree;
        reasons.push(`journey cap: ${capText(req.journeyCap.maxAsks, req.journeyCap.periodMs)}`);
      }
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
