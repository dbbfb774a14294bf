// Reward policy: pure, deterministic decisions the journey interpreter makes inside workflow code before it
// calls the reward activities. Each takes plain data and the plan's reward section and returns a decision
// with its reasons; none has side effects or reads a clock (time comes in as `nowMs`).
import type { RewardRequest } from '../contract/index.ts';
import type { Reward, RewardTier } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';

/** A referral (or other rewarded action) as the interpreter saw it. */
export interface ReferralFacts {
  advocateId: string;
  advocateEmail?: string;
  /** The referral's id, or the action event's id for non-referral motions. */
  referralId: string;
  referredEmail?: string;
  referredCustomerId?: string;
}

/** A reward the advocate already has (from the run's carried state or the customer's ledger). */
export interface PastReward {
  at: string;
  role: RewardRequest['role'];
  amount?: number;
  status: 'pending' | 'held' | 'issued' | 'reversed' | 'failed' | 'refused' | 'forfeited';
  /** The referred person (normalized email or customer id), for the duplicate check. */
  referred?: string;
}

export type Refusal = {
  ok: false;
  rule: 'self-referral' | 'duplicate-referred' | 'same-email-domain' | 'cap-rewards' | 'cap-amount';
  reason: string;
  retryAt?: string;
};
export type Check = { ok: true } | Refusal;

/** Free mail domains are shared by strangers, so the same-domain rule ignores them. */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'proton.me',
  'protonmail.com',
  'aol.com',
  'gmx.com',
  'gmx.de',
  'web.de',
  'mail.com',
]);

export function normalizeEmail(email: string | undefined): string | undefined {
  const e = email?.trim().toLowerCase();
  return e ? e : undefined;
}
function domainOf(email: string | undefined): string | undefined {
  return normalizeEmail(email)?.split('@')[1];
}
/** Who was referred, as one comparable string. */
export function referredKey(f: ReferralFacts): string {
  return f.referredCustomerId ? `id:${f.referredCustomerId}` : `email:${normalizeEmail(f.referredEmail) ?? f.referralId}`;
}

const COUNTS = (r: PastReward) => r.status !== 'failed' && r.status !== 'refused' && r.status !== 'reversed' && r.status !== 'forfeited';

/** Fraud rules of the plan: self-referral, the same referred person twice, the advocate's own email domain. */
export function checkFraud(reward: Reward, f: ReferralFacts, past: PastReward[]): Check {
  const rules = reward.fraud ?? {};
  const advocateEmail = normalizeEmail(f.advocateEmail);
  if (
    rules.rejectSelfReferral &&
    (f.referredCustomerId === f.advocateId || (advocateEmail && normalizeEmail(f.referredEmail) === advocateEmail))
  ) {
    return { ok: false, rule: 'self-referral', reason: `self-referral: ${f.advocateId} referred themselves` };
  }
  if (rules.rejectDuplicateReferred && past.some((r) => r.role === 'referrer' && r.referred === referredKey(f) && r.status !== 'refused')) {
    return {
      ok: false,
      rule: 'duplicate-referred',
      reason: `duplicate referral: ${referredKey(f)} was already referred by ${f.advocateId}`,
    };
  }
  const domain = domainOf(f.referredEmail);
  if (rules.rejectSameEmailDomain && domain && domain === domainOf(f.advocateEmail) && !PUBLIC_MAIL_DOMAINS.has(domain)) {
    return { ok: false, rule: 'same-email-domain', reason: `same email domain: referred ${domain} is the advocate's own domain` };
  }
  return { ok: true };
}

/**
 * Caps per advocate over the rolling period: count and amount of the advocate's own rewards (referrer and tier
 * bonuses). `amount` and `count` are what this action would add: every own reward of it, bonuses included.
 */
export function checkCaps(reward: Reward, past: PastReward[], amount: number | undefined, nowMs: number, count = 1): Check {
  const caps = reward.caps;
  if (!caps) return { ok: true };
  const periodMs = durationMs(caps.period);
  const inPeriod = past
    .filter((r) => r.role !== 'referred' && COUNTS(r) && Date.parse(r.at) > nowMs - periodMs && Date.parse(r.at) <= nowMs)
    .sort((a, b) => a.at.localeCompare(b.at));
  const freedAt = (index: number) => new Date(Date.parse(inPeriod[index].at) + periodMs).toISOString();
  if (caps.maxRewards !== undefined && inPeriod.length + count > caps.maxRewards) {
    return {
      ok: false,
      rule: 'cap-rewards',
      reason:
        count === 1
          ? `cap reached: ${inPeriod.length} of ${caps.maxRewards} rewards in ${caps.period}`
          : `cap reached: ${inPeriod.length} + ${count} exceeds ${caps.maxRewards} rewards in ${caps.period}`,
      // When enough of the oldest have left the period for this action's rewards to fit (never, if they cannot).
      retryAt: count <= caps.maxRewards ? freedAt(inPeriod.length + count - 1 - caps.maxRewards) : undefined,
    };
  }
  const total = inPeriod.reduce((sum, r) => sum + (r.amount ?? 0), 0);
  if (caps.maxAmount !== undefined && total + (amount ?? 0) > caps.maxAmount) {
    return { ok: false, rule: 'cap-amount', reason: `cap reached: ${total} + ${amount ?? 0} exceeds ${caps.maxAmount} in ${caps.period}` };
  }
  return { ok: true };
}

/** The advocate's tier after `rewardedActions` rewarded actions (thresholds ascending), or undefined below the first. */
export function tierFor(reward: Reward, rewardedActions: number): RewardTier | undefined {
  return [...(reward.tiers ?? [])]
    .sort((a, b) => a.threshold - b.threshold)
    .filter((t) => rewardedActions >= t.threshold)
    .pop();
}

/** Tiers newly reached going from `before` to `after` rewarded actions: each pays its bonus once. */
export function tiersReached(reward: Reward, before: number, after: number): RewardTier[] {
  if (reward.type !== 'tiered') return [];
  return (reward.tiers ?? []).filter((t) => before < t.threshold && after >= t.threshold).sort((a, b) => a.threshold - b.threshold);
}

/** When a reward is released: at once (action), after the hold, or on conversion with the hold as the longest wait. */
export function releasePlan(
  reward: Reward,
  actionAtMs: number,
): { on: 'action' | 'conversion' | 'hold'; releaseAt: string; waitForConversion: boolean } {
  const holdMs = reward.release.hold ? durationMs(reward.release.hold) : 0;
  if (reward.release.on === 'action') return { on: 'action', releaseAt: new Date(actionAtMs).toISOString(), waitForConversion: false };
  return {
    on: reward.release.on,
    releaseAt: new Date(actionAtMs + holdMs).toISOString(),
    waitForConversion: reward.release.on === 'conversion',
  };
}

/** Whether a reversal event (refund, churn) still reverses a reward released at `releasedAtMs`. */
export function checkReversal(
  reward: Reward,
  eventType: string,
  releasedAtMs: number,
  nowMs: number,
): { reverse: boolean; reason: string } {
  const rule = reward.reversal;
  if (!rule) return { reverse: false, reason: 'the plan has no reversal rule' };
  if (!rule.events.includes(eventType)) return { reverse: false, reason: `${eventType} is not a reversal event of this plan` };
  const windowMs = durationMs(rule.window);
  if (nowMs - releasedAtMs > windowMs) return { reverse: false, reason: `outside the reversal window ${rule.window}` };
  return { reverse: true, reason: `${eventType} within ${rule.window} of release` };
}

/**
 * One part of a key, header-safe by construction: letters, digits and . _ @ + - stay; every other UTF-16 unit (':',
 * the separator; '~', the escape; spaces, CR/LF, anything above U+007E) becomes ~XXXX. One-to-one, so two ids never
 * share a key, and pure (no TextEncoder, no throw on a lone surrogate). A referral id comes from outside as any
 * string: put raw into the Idempotency-Key header it made fetch throw on every attempt.
 */
export function keyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._@+-]/g, (c) => `~${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/**
 * The idempotency key of one reward: (advocate, referral or action, rule). Attempt-independent; a valid header value:
 * the journey id is a plan identifier (a-z0-9-), the rule id is built by decideReward from safe parts.
 */
export function rewardKey(journeyId: string, advocateId: string, referralId: string, ruleId: string): string {
  return `reward:${journeyId}:${keyPart(advocateId)}:${keyPart(referralId)}:${ruleId}`;
}

export interface RewardContext {
  journeyId: string;
  journeyVersion: number;
  /** The advocate's rewarded actions before this one (for tiers). */
  rewardedActionsBefore: number;
  nowMs: number;
}

export type RewardDecision =
  | { grant: true; requests: RewardRequest[]; release: ReturnType<typeof releasePlan>; tier?: string; reasons: string[] }
  /** `requests`: what would have been paid; record them as refused (refuseReward) so operators see why. */
  | { grant: false; refusal: Refusal; requests: RewardRequest[]; reasons: string[] };

/**
 * Everything the Reward stage decides for one action: fraud, caps, the rewards to pay (referrer, referred friend
 * when two-sided, tier bonuses newly reached) with their idempotency keys, and when to release them.
 */
export function decideReward(reward: Reward, f: ReferralFacts, past: PastReward[], ctx: RewardContext): RewardDecision {
  const base = { advocateId: f.advocateId, journeyId: ctx.journeyId, journeyVersion: ctx.journeyVersion, referralId: f.referralId };
  const requests: RewardRequest[] = [
    {
      ...base,
      idempotencyKey: rewardKey(ctx.journeyId, f.advocateId, f.referralId, 'referrer'),
      recipientId: f.advocateId,
      role: 'referrer',
      item: reward.referrer,
      reason: `reward for ${f.referralId}`,
      ruleId: 'referral.referrer',
      ...(f.referredCustomerId || f.referredEmail ? { referred: referredKey(f) } : {}),
    },
  ];
  const twoSided = reward.type === 'two-sided' || (reward.type === 'tiered' && reward.referred);
  if (twoSided && reward.referred) {
    requests.push({
      ...base,
      idempotencyKey: rewardKey(ctx.journeyId, f.advocateId, f.referralId, 'referred'),
      recipientId: f.referredCustomerId ?? normalizeEmail(f.referredEmail) ?? `referred-${f.referralId}`,
      role: 'referred',
      item: reward.referred,
      reason: `welcome reward, referred by ${f.advocateId}`,
      ruleId: 'referral.referred',
    });
  }
  const after = ctx.rewardedActionsBefore + 1;
  for (const t of tiersReached(reward, ctx.rewardedActionsBefore, after)) {
    requests.push({
      ...base,
      idempotencyKey: rewardKey(ctx.journeyId, f.advocateId, `tier-${t.tier}`, `tier:${keyPart(t.tier)}`),
      recipientId: f.advocateId,
      role: 'tier-bonus',
      item: t.bonus,
      reason: `reached tier ${t.tier} (${t.threshold} rewarded actions)`,
      ruleId: `tier:${t.tier}`,
    });
  }
  const fraud = checkFraud(reward, f, past);
  if (!fraud.ok) return { grant: false, refusal: fraud, requests, reasons: [fraud.reason] };
  // The caps hold for everything this action pays the advocate: the referrer reward and the tier bonuses it reaches.
  const own = requests.filter((r) => r.role !== 'referred');
  const cap = checkCaps(
    reward,
    past,
    own.reduce((sum, r) => sum + (r.item.amount ?? 0), 0),
    ctx.nowMs,
    own.length,
  );
  if (!cap.ok) return { grant: false, refusal: cap, requests, reasons: [cap.reason] };
  const tier = tierFor(reward, after)?.tier;
  return { grant: true, requests, release: releasePlan(reward, ctx.nowMs), tier, reasons: requests.map((r) => r.reason) };
}
