// Track: referral funnel events about people this advocate referred, routed to the advocate's run by
// referrerId / referralCode. Counts conversions and referred revenue in history; reversals reverse rewards.
import type { JourneyEvent } from '../contract/index.ts';
import type { ConversionEvent } from '../../definitions/generated/journey.ts';
import { checkReversal } from '../rewards/policy.ts';
import { durationMs } from '../../definitions/duration.ts';
import { iso, track, wake, type RunContext } from './context.ts';
import { LIST_MAX, note } from './state.ts';
import { isOwnReferralCode } from './referral-code.ts';
import { queueReferralRecord } from './crm-referrals.ts';
import { factTimeMs } from './fact-time.ts';
import { queueReferrerUpdate } from './referrer-updates.ts';

function isAboutThisAdvocate(ctx: RunContext, event: JourneyEvent): boolean {
  const { referrerId, referralCode } = event.data ?? {};
  if (typeof referrerId === 'string' && referrerId) return referrerId === ctx.state.customerId;
  if (typeof referralCode === 'string' && referralCode) return isOwnReferralCode(ctx.state, referralCode);
  // No attribution fields: the event is about the run's own customer (e.g. an action).
  return event.customerId === ctx.state.customerId;
}

export function recordReferralSubmitted(ctx: RunContext, event: JourneyEvent): void {
  const referralId = String(event.data?.referralId ?? event.id);
  if (ctx.state.referrals.some((r) => r.referralId === referralId)) return;
  const referred = String(event.data?.referredCustomerId ?? event.data?.referredEmail ?? '') || undefined;
  const referredName = typeof event.data?.referredName === 'string' ? event.data.referredName.slice(0, 200) : undefined;
  ctx.state.referrals.push({
    referralId,
    submittedAt: iso(ctx.now()),
    stage: 'submitted',
    referred,
    ...(referredName ? { referredName } : {}),
  });
  if (ctx.state.referrals.length > LIST_MAX) ctx.state.referrals.shift();
  ctx.state.history.referrals++;
  track(ctx, 'referral.submitted', { referralId });
  queueReferralRecord(ctx, referralId, 'submitted', event);
}

export function recordConversion(ctx: RunContext, rule: ConversionEvent, event: JourneyEvent): void {
  if (!isAboutThisAdvocate(ctx, event)) {
    note(ctx.state, ctx.now(), `${event.type} ${event.id} names another referrer: not attributed`);
    return;
  }
  const referralId = String(event.data?.referralId ?? event.id);
  const referral = ctx.state.referrals.find((r) => r.referralId === referralId);
  const submittedMs = referral ? Date.parse(referral.submittedAt) : NaN;
  if (referral && factTimeMs(ctx, event, submittedMs) - submittedMs > durationMs(ctx.def.track.attributionWindow)) {
    note(ctx.state, ctx.now(), `${event.type} for ${referralId} is outside the attribution window ${ctx.def.track.attributionWindow}`);
    return;
  }
  if (!referral) {
    // Conversions count only for referrals submitted in this run (carried over continue-as-new), within the window.
    // Not submitted here: another journey asked for it (or nobody did). Counting it here would count its revenue
    // once per journey that listens for the event.
    note(ctx.state, ctx.now(), `${event.type} for ${referralId}: not a referral submitted in this run, not attributed`);
    track(ctx, 'referral.unattributed', { referralId, eventType: event.type, eventId: event.id });
    return;
  }
  if (referral.stage === 'closed-won' || referral.stage === 'reversed') return;
  referral.stage = rule.stage;
  // The deal's amount: the rule's revenueField; an opportunity without one falls back to the event's own `amount`.
  const field = rule.revenueField ?? (rule.stage === 'opportunity' ? 'amount' : undefined);
  const revenue = field ? Number(event.data?.[field] ?? NaN) : NaN;
  if (rule.stage === 'closed-won') {
    ctx.state.history.conversions++;
    if (Number.isFinite(revenue)) {
      referral.revenue = revenue;
      ctx.state.history.referredRevenue += revenue;
    }
  }
  track(ctx, `referral.${rule.stage === 'closed-won' ? 'closed_won' : rule.stage === 'closed-lost' ? 'closed_lost' : rule.stage}`, {
    referralId,
    revenue: Number.isFinite(revenue) ? revenue : undefined,
    // The KPI report's pipeline reads data.revenue of referral.opportunity; data.amount is the same number by its other name.
    ...(rule.stage === 'opportunity' && Number.isFinite(revenue) ? { amount: revenue } : {}),
  });
  // The advocate hears about it (track.referrerUpdates), once per referral and stage.
  queueReferrerUpdate(ctx, referralId, rule.stage);
  const currency = typeof event.data?.currency === 'string' ? event.data.currency : undefined;
  queueReferralRecord(ctx, referralId, rule.stage, event, { amount: Number.isFinite(revenue) ? revenue : undefined, currency });
  wake(ctx);
}

export function recordReversal(ctx: RunContext, event: JourneyEvent): void {
  if (!isAboutThisAdvocate(ctx, event)) return;
  const referralId = String(event.data?.referralId ?? '');
  const referral = ctx.state.referrals.find((r) => r.referralId === referralId);
  if (referral?.stage === 'closed-won') {
    ctx.state.history.conversions = Math.max(0, ctx.state.history.conversions - 1);
    ctx.state.history.referredRevenue -= referral.revenue ?? 0;
  }
  if (referral) {
    referral.stage = 'reversed';
    queueReferralRecord(ctx, referralId, 'reversed', event);
  }
  // Only paid rewards cost anything: the report subtracts data.amount of reward.reversed from reward cost.
  let amount = 0;
  const currencies = new Set<string>();
  const rewardKeys: string[] = [];
  // The reward policy decides (reversal window from release).
  const rewardPlan = Object.values(ctx.def.motions).find((m) => m.reward?.reversal?.events.includes(event.type))?.reward;
  for (const r of ctx.state.rewards) {
    if (r.referralId !== referralId || (r.status !== 'held' && r.status !== 'issued')) continue;
    if (r.issuing) {
      // The payout is in flight: reversing now would race it (the receiver could see the reverse first, and the
      // issue's answer would overwrite the status). The Reward stage applies it once the issue has answered.
      const check = rewardPlan ? checkReversal(rewardPlan, event.type, ctx.now(), ctx.now()) : undefined;
      if (check && !check.reverse) note(ctx.state, ctx.now(), `reward ${r.key} not reversed: ${check.reason}`);
      else r.reverseAfterIssue = `${event.type}: ${check?.reason ?? 'reversed'}`;
      continue;
    }
    if (rewardPlan) {
      // A held reward was never released: the window has not started.
      const releasedMs = r.status === 'issued' ? Date.parse(r.at) : ctx.now();
      const check = checkReversal(
        rewardPlan,
        event.type,
        releasedMs,
        r.status === 'issued' ? factTimeMs(ctx, event, releasedMs) : ctx.now(),
      );
      if (!check.reverse) {
        note(ctx.state, ctx.now(), `reward ${r.key} not reversed: ${check.reason}`);
        continue;
      }
      (ctx.ledgerReversals ??= []).push({ idempotencyKey: r.key, recipientId: r.recipientId, reason: `${event.type}: ${check.reason}` });
    }
    rewardKeys.push(r.key);
    if (r.status === 'issued' && typeof r.amount === 'number') {
      amount += r.amount;
      if (r.currency) currencies.add(r.currency);
    }
    r.status = 'reversed';
  }
  track(ctx, 'reward.reversed', {
    referralId,
    reason: event.data?.reason,
    rewardKeys,
    amount,
    ...(currencies.size === 1 ? { currency: [...currencies][0] } : {}),
  });
  wake(ctx);
}
