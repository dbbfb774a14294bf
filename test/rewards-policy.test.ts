// The pure reward and contact policies, as the playbook states them.
import { describe, expect, it } from 'vitest';
import type { Reward } from '../definitions/generated/journey.ts';
import {
  checkCaps,
  checkFraud,
  checkReversal,
  decideReward,
  releasePlan,
  tierFor,
  tiersReached,
  type PastReward,
} from '../workflows/rewards/policy.ts';
import { decideContactSlot, DEFAULT_CONTACT_POLICY } from '../workflows/customer/contact-policy.ts';
import { quietHoursEnd } from '../workflows/customer/quiet-hours.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const tiered: Reward = {
  type: 'tiered',
  referrer: { kind: 'credit', amount: 50, currency: 'USD' },
  tiers: [
    { threshold: 3, tier: 'silver', bonus: { kind: 'gift-card', amount: 25, currency: 'USD' } },
    { threshold: 10, tier: 'gold', bonus: { kind: 'gift-card', amount: 100, currency: 'USD' } },
  ],
  release: { on: 'conversion', hold: 'P30D' },
  caps: { maxRewards: 5, maxAmount: 200, period: 'P30D' },
  fraud: { rejectSelfReferral: true, rejectDuplicateReferred: true, rejectSameEmailDomain: true },
  reversal: { events: ['referral.reversed'], window: 'P60D' },
};
const facts = { advocateId: 'a1', advocateEmail: 'ann@acme.com', referralId: 'r1', referredEmail: 'bob@other.com' };
const issued = (daysAgo: number, amount = 50, extra: Partial<PastReward> = {}): PastReward => ({
  at: new Date(NOW - daysAgo * DAY).toISOString(),
  role: 'referrer',
  amount,
  status: 'issued',
  ...extra,
});

describe('reward policy', () => {
  it("refuses a self-referral, the same referred person twice, and the advocate's own company domain (not gmail)", () => {
    expect(checkFraud(tiered, { ...facts, referredEmail: ' Ann@ACME.com ' }, [])).toMatchObject({ ok: false, rule: 'self-referral' });
    expect(checkFraud(tiered, { ...facts, referredCustomerId: 'a1' }, [])).toMatchObject({ ok: false, rule: 'self-referral' });
    expect(checkFraud(tiered, facts, [issued(3, 50, { referred: 'email:bob@other.com' })])).toMatchObject({
      ok: false,
      rule: 'duplicate-referred',
    });
    expect(checkFraud(tiered, { ...facts, referredEmail: 'cy@acme.com' }, [])).toMatchObject({ ok: false, rule: 'same-email-domain' });
    expect(checkFraud(tiered, { ...facts, advocateEmail: 'ann@gmail.com', referredEmail: 'cy@gmail.com' }, [])).toEqual({ ok: true });
    expect(checkFraud({ ...tiered, fraud: {} }, { ...facts, referredEmail: 'ann@acme.com' }, [])).toEqual({ ok: true });
  });

  it('caps count and amount per advocate over the rolling period; old, failed and reversed rewards do not count', () => {
    const five = [1, 2, 3, 4, 5].map((d) => issued(d, 10));
    expect(checkCaps(tiered, five, 50, NOW)).toMatchObject({
      ok: false,
      rule: 'cap-rewards',
      retryAt: new Date(NOW - 5 * DAY + 30 * DAY).toISOString(),
    });
    expect(checkCaps(tiered, [issued(40, 10), ...[1, 2, 3, 4].map((d) => issued(d, 10))], 50, NOW)).toEqual({ ok: true });
    expect(checkCaps(tiered, [issued(1, 100), issued(2, 60)], 50, NOW)).toMatchObject({ ok: false, rule: 'cap-amount' });
    expect(checkCaps(tiered, [issued(1, 100, { status: 'reversed' }), issued(2, 60, { status: 'failed' })], 50, NOW)).toEqual({ ok: true });
    expect(checkCaps(tiered, [issued(1, 180, { role: 'referred' })], 50, NOW)).toEqual({ ok: true });
  });

  it('tiers by thresholds; each tier bonus is paid once, on reaching it', () => {
    expect(tierFor(tiered, 2)).toBeUndefined();
    expect(tierFor(tiered, 3)?.tier).toBe('silver');
    expect(tierFor(tiered, 12)?.tier).toBe('gold');
    expect(tiersReached(tiered, 2, 3).map((t) => t.tier)).toEqual(['silver']);
    expect(tiersReached(tiered, 3, 4)).toEqual([]);
    const d = decideReward(tiered, facts, [], { journeyId: 'j', journeyVersion: 1, rewardedActionsBefore: 2, nowMs: NOW });
    expect(d.grant).toBe(true);
    if (!d.grant) return;
    expect(d.requests.map((r) => [r.role, r.ruleId, r.item.amount])).toEqual([
      ['referrer', 'referral.referrer', 50],
      ['tier-bonus', 'tier:silver', 25],
    ]);
    expect(d.tier).toBe('silver');
    expect(new Set(d.requests.map((r) => r.idempotencyKey)).size).toBe(2);
  });

  it('holds until conversion with the hold as the longest wait; releases at once on action', () => {
    expect(releasePlan(tiered, NOW)).toEqual({
      on: 'conversion',
      releaseAt: new Date(NOW + 30 * DAY).toISOString(),
      waitForConversion: true,
    });
    expect(releasePlan({ ...tiered, release: { on: 'action' } }, NOW).releaseAt).toBe(new Date(NOW).toISOString());
  });

  it("reverses within the window only, on the plan's reversal events only", () => {
    expect(checkReversal(tiered, 'referral.reversed', NOW - 59 * DAY, NOW).reverse).toBe(true);
    expect(checkReversal(tiered, 'referral.reversed', NOW - 61 * DAY, NOW)).toMatchObject({
      reverse: false,
      reason: expect.stringContaining('outside'),
    });
    expect(checkReversal(tiered, 'deal.closed_lost', NOW, NOW).reverse).toBe(false);
  });

  it('the idempotency key does not depend on the attempt or the time', () => {
    const ctx = { journeyId: 'j', journeyVersion: 1, rewardedActionsBefore: 0, nowMs: NOW };
    const one = decideReward(tiered, facts, [], ctx);
    const two = decideReward(tiered, facts, [], { ...ctx, nowMs: NOW + DAY });
    expect(one.requests.map((r) => r.idempotencyKey)).toEqual(two.requests.map((r) => r.idempotencyKey));
  });
});

describe('contact policy', () => {
  const req = (at: string, journeyId = 'j1') => ({ customerId: 'c', journeyId, sendKey: `${journeyId}:${at}`, at });
  it('a journey cap applies inside the global one', () => {
    const policy = { ...DEFAULT_CONTACT_POLICY, maxAsks: 3, quietHours: undefined };
    const history = [{ sendKey: 'x', journeyId: 'j1', at: '2026-03-09T12:00:00Z' }];
    const d = decideContactSlot({ ...req('2026-03-10T12:00:00Z'), journeyCap: { maxAsks: 1, periodMs: 14 * DAY } }, { history }, policy);
    expect(d).toMatchObject({ granted: false, retryAt: '2026-03-23T12:00:00.000Z', reason: expect.stringContaining('journey cap') });
    expect(decideContactSlot(req('2026-03-10T12:00:00Z', 'j2'), { history }, policy).granted).toBe(true);
  });

  it('quiet hours end at the local morning across a DST change (New York, 8 March 2026)', () => {
    // 22:00 EST on Sat 7 March; clocks spring forward at 02:00; 08:00 EDT on 8 March = 12:00 UTC.
    const end = quietHoursEnd(Date.parse('2026-03-08T03:00:00Z'), { start: '21:00', end: '08:00' }, 'America/New_York');
    expect(new Date(end).toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });
});

describe('journey quiet hours', () => {
  it('are checked with the global ones', () => {
    const policy = { ...DEFAULT_CONTACT_POLICY, quietHours: undefined };
    const d = decideContactSlot(
      { customerId: 'c', journeyId: 'j', sendKey: 'k', at: '2026-03-10T12:30:00Z', quietHours: { start: '12:00', end: '14:00' } },
      { history: [], timezone: 'Europe/London' },
      policy,
    );
    expect(d).toMatchObject({ granted: false, retryAt: '2026-03-10T14:00:00.000Z' });
  });
});
