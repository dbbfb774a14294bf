// Track: referral funnel events about people this advocate referred, routed to the advocate's run by
// referrerId / referralCode. Counts conversions and referred revenue in history; reversals reverse rewards.
import type { ConversionEvent } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import type { JourneyEvent } from '../messages.ts';
import { iso, track, wake, type RunContext } from './context.ts';
import { LIST_MAX, note } from './state.ts';
import { referralCodeFor } from './referral-code.ts';

function isAboutThisAdvocate(ctx: RunContext, event: JourneyEvent): boolean {
  const { referrerId, referralCode } = event.data ?? {};
  if (typeof referrerId === 'string' && referrerId) return referrerId === ctx.state.customerId;
  if (typeof referralCode === 'string' && referralCode) return referralCode === referralCodeFor(ctx.state.customerId);
  // No attribution fields: the event is about the run's own customer (e.g. an action).
  return event.customerId === ctx.state.customerId;
}

export function recordReferralSubmitted(ctx: RunContext, event: JourneyEvent): void {
  const referralId = String(event.data?.referralId ?? event.id);
  if (ctx.state.referrals.some((r) => r.referralId === referralId)) return;
  const referred = String(event.data?.referredCustomerId ?? event.data?.referredEmail ?? '') || undefined;
  ctx.state.referrals.push({ referralId, submittedAt: iso(ctx.now()), stage: 'submitted', referred });
  if (ctx.state.referrals.length > LIST_MAX) ctx.state.referrals.shift();
  ctx.state.history.referrals++;
  track(ctx, 'referral.submitted', { referralId });
}

export function recordConversion(ctx: RunContext, rule: ConversionEvent, event: JourneyEvent): void {
  if (!isAboutThisAdvocate(ctx, event)) {
    note(ctx.state, ctx.now(), `${event.type} ${event.id} names another referrer: not attributed`);
    return;
  }
  const referralId = String(event.data?.referralId ?? event.id);
  let referral = ctx.state.referrals.find((r) => r.referralId === referralId);
  if (referral && ctx.now() - Date.parse(referral.submittedAt) > durationMs(ctx.def.track.attributionWindow)) {
    note(ctx.state, ctx.now(), `${event.type} for ${referralId} is outside the attribution window ${ctx.def.track.attributionWindow}`);
    return;
  }
  if (!referral) {
    // A referral made outside this run (e.g. before it started): still the advocate's; attributed from now.
    referral = { referralId, submittedAt: iso(ctx.now()), stage: 'submitted' };
    ctx.state.referrals.push(referral);
    if (ctx.state.referrals.length > LIST_MAX) ctx.state.referrals.shift();
  }
  if (referral.stage === 'closed-won' || referral.stage === 'reversed') return;
  referral.stage = rule.stage;
  const revenue = rule.revenueField ? Number(event.data?.[rule.revenueField]) : NaN;
  if (rule.stage === 'closed-won') {
    ctx.state.history.conversions++;
    if (Number.isFinite(revenue)) {
      referral.revenue = revenue;
      ctx.state.history.referredRevenue += revenue;
    }
  }
  track(ctx, `referral.${rule.stage === 'closed-won' ? 'closed_won' : rule.stage === 'closed-lost' ? 'closed_lost' : rule.stage}`, {
    referralId, revenue: Number.isFinite(revenue) ? revenue : undefined,
  });
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
  if (referral) referral.stage = 'reversed';
  for (const r of ctx.state.rewards) {
    if (r.referralId === referralId && (r.status === 'held' || r.status === 'issued')) r.status = 'reversed';
  }
  track(ctx, 'reward.reversed', { referralId, reason: event.data?.reason });
  wake(ctx);
}
