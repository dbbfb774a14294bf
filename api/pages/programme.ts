// What the pages say about a journey's referral programme, read from its compiled plan: the friend's offer, the
// advocate's reward, the tiers and the rules (release, caps, fraud checks, reversal), with money and dates
// formatted by Intl in the page's locale and time zone.
import type { CompiledPlan } from '../../definitions/plan.ts';
import type { Reward, RewardItem } from '../../definitions/generated/journey.ts';
import { durationMs } from '../../definitions/duration.ts';
import type { PagesConfig } from '../../definitions/pages.ts';

export interface Formatter {
  money(amount: number, currency: string): string;
  date(iso: string | number): string;
  period(iso: string): string;
  number(n: number): string;
}

const formatters = new Map<string, Formatter>();

/** Intl formatters of the page's locale and zone, built once (constructing Intl objects costs more than using them). */
export function formatterFor(config: PagesConfig): Formatter {
  const key = `${config.locale}|${config.timeZone ?? 'UTC'}`;
  let f = formatters.get(key);
  if (!f) {
    const timeZone = config.timeZone ?? 'UTC';
    const date = new Intl.DateTimeFormat(config.locale, { dateStyle: 'medium', timeZone });
    const num = new Intl.NumberFormat(config.locale);
    const money = new Map<string, Intl.NumberFormat>();
    f = {
      money: (amount, currency) => {
        let m = money.get(currency);
        if (!m) money.set(currency, (m = new Intl.NumberFormat(config.locale, { style: 'currency', currency })));
        return m.format(amount);
      },
      date: (iso) => date.format(new Date(iso)),
      // Leaderboard periods are calendar months in UTC (api/pages/leaderboard.ts): named in UTC too.
      period: (iso) => new Intl.DateTimeFormat(config.locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso)),
      number: (n) => num.format(n),
    };
    formatters.set(key, f);
  }
  return f;
}

/** The motion of a plan whose action is a submitted referral (the one the referral page feeds). */
export function referralMotion(plan: CompiledPlan, preferred?: string): { motion: string; reward?: Reward } | undefined {
  const motions = plan.definition.motions;
  const takes = (m: string) => motions[m]?.activate.actions.some((a) => a.event === 'referral.submitted');
  const motion = preferred && takes(preferred) ? preferred : Object.keys(motions).find(takes);
  return motion ? { motion, reward: motions[motion].reward } : undefined;
}

/** One reward in words, its amount in the page's currency format. */
export function describeItem(item: RewardItem, f: Formatter): string {
  const money = item.amount !== undefined && item.currency ? f.money(item.amount, item.currency) : undefined;
  if (!money) return item.description ?? item.kind.replace('-', ' ');
  switch (item.kind) {
    case 'discount':
      return `${money} off your first invoice`;
    case 'credit':
      return `${money} in account credit`;
    case 'gift-card':
      return `a ${money} gift card`;
    case 'donation':
      return `a ${money} donation in your name`;
    default:
      return item.description ?? money;
  }
}

/** "90 days", "4 hours", "3 minutes": a duration in the largest whole unit (demo journeys scale days to seconds). */
export function spellDuration(iso: string): string {
  const ms = durationMs(iso);
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  const [size, unit] = units.find(([size]) => ms >= size) ?? units[3];
  const n = Math.round(ms / size);
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The programme's rules in plain sentences, for the status page. */
export function programmeRules(reward: Reward, f: Formatter): string[] {
  const rules = [`For each friend you refer who becomes a customer you get ${describeItem(reward.referrer, f)}.`];
  if (reward.referred) rules.push(`Your friend gets ${describeItem(reward.referred, f)}.`);
  const r = reward.release;
  if (r.on === 'action') rules.push('Rewards are issued as soon as your referral is submitted.');
  if (r.on === 'conversion')
    rules.push(
      `Rewards are issued when your referral becomes a customer${r.hold ? ` (within ${spellDuration(r.hold)} of the referral)` : ''}${r.onNoConversion === 'release' ? '; after that they are issued anyway' : ''}.`,
    );
  if (r.on === 'hold' && r.hold) rules.push(`Rewards are held for ${spellDuration(r.hold)}, then issued.`);
  for (const t of reward.tiers ?? [])
    rules.push(
      `${t.tier[0].toUpperCase()}${t.tier.slice(1)} tier at ${t.threshold} rewarded referrals${t.bonus ? `: ${describeItem(t.bonus, f)}` : ''}.`,
    );
  if (reward.caps) {
    const parts = [
      reward.caps.maxRewards !== undefined ? `${reward.caps.maxRewards} rewards` : undefined,
      reward.caps.maxAmount !== undefined
        ? `${reward.referrer.currency ? f.money(reward.caps.maxAmount, reward.referrer.currency) : f.number(reward.caps.maxAmount)} in value`
        : undefined,
    ].filter(Boolean);
    if (parts.length) rules.push(`At most ${parts.join(' and ')} per ${spellDuration(reward.caps.period)}.`);
  }
  const fraud = reward.fraud;
  if (fraud?.rejectSelfReferral) rules.push('Referring yourself does not count.');
  if (fraud?.rejectDuplicateReferred) rules.push('Each friend counts once, whoever refers them first.');
  if (fraud?.rejectSameEmailDomain) rules.push('Colleagues at your own company do not count.');
  if (reward.reversal)
    rules.push(`A reward is reversed if the friend cancels or is refunded within ${spellDuration(reward.reversal.window)}.`);
  return rules;
}

export interface TierProgress {
  tier?: string;
  next?: { tier: string; threshold: number };
  /** Rewarded referrals so far (what tier thresholds count). */
  count: number;
}

/** The advocate's tier and the next one, from their rewarded referrals (issued or held referrer rewards). */
export function tierProgress(reward: Reward, rewardedReferrals: number): TierProgress {
  const tiers = [...(reward.tiers ?? [])].sort((a, b) => a.threshold - b.threshold);
  const reached = tiers.filter((t) => rewardedReferrals >= t.threshold);
  const next = tiers.find((t) => rewardedReferrals < t.threshold);
  return { tier: reached.at(-1)?.tier, next: next && { tier: next.tier, threshold: next.threshold }, count: rewardedReferrals };
}
