// The shape of the playbook: every motion Qualify or Expand can pick is defined, every defined motion can be
// reached, reminders fit the attempt cap and the activate timeout, rewards are coherent.
import type { AdvocacyJourneyDefinition, MotionPlan, Reward } from '../generated/journey.ts';
import { durationMs } from '../duration.ts';
import type { Problem } from './problem.ts';
import { closest, didYouMean } from './suggest.ts';
import { fallbackPicks } from './owner-task-check.ts';

const MOTIONS = ['referral', 'review', 'reference-call', 'case-study', 'community', 'advisory-board', 'beta-program', 'event-speaking'];

export function checkMotions(def: AdvocacyJourneyDefinition): Problem[] {
  const problems: Problem[] = [];
  // Misspelled motion keys are reported by the schema check; never suggest one of them.
  const defined = Object.keys(def.motions).filter((m) => MOTIONS.includes(m));
  const misspelled = Object.keys(def.motions).filter((m) => !MOTIONS.includes(m));
  const picked = new Set<string>();
  let pickedUndefined = false;
  const pick = (motion: string, pointer: string, who: string) => {
    if (motion === 'disqualify') return;
    picked.add(motion);
    if (def.motions[motion as keyof typeof def.motions]) return;
    pickedUndefined = true;
    // One mistake, one error: no motions at all, or the motion's key misspelled, is already reported by the schema.
    if (Object.keys(def.motions).length === 0 || closest(motion, misspelled)) return;
    problems.push({
      pointer,
      message: `${who} picks the motion \`${motion}\`, but \`motions\` does not define it`,
      expected: `a motion defined under \`motions\`: ${defined.join(', ')}`,
      suggestion: didYouMean(motion, defined) ?? `add \`motions.${motion}\` with its invite and activate`,
      code: 'motion.undefined',
    });
  };
  def.qualify.rules.forEach((rule, i) => pick(rule.motion, `/qualify/rules/${i}/motion`, `qualify rule \`${rule.id}\``));
  pick(def.qualify.otherwise, '/qualify/otherwise', 'qualify `otherwise`');
  (def.expand?.promotions ?? []).forEach((p, i) => pick(p.motion, `/expand/promotions/${i}/motion`, `promotion \`${p.id}\``));
  // A motion an owner task falls back to is reachable (its undefined case is owner-task-check's error).
  for (const f of fallbackPicks(def)) if (def.motions[f.motion as keyof typeof def.motions]) picked.add(f.motion);

  for (const motion of defined) {
    // A pick of an undefined motion most likely meant this one: that error says it, this one would only echo it.
    if (!picked.has(motion) && !pickedUndefined) {
      problems.push({
        pointer: `/motions/${motion}`,
        atKey: true,
        message: `the motion \`${motion}\` can never run: no qualify rule, \`otherwise\` or expand promotion picks it`,
        expected: 'every motion reachable from Qualify or Expand',
        suggestion: `pick \`${motion}\` in a qualify rule or an expand promotion, or remove it`,
        code: 'motion.unreachable',
      });
    }
    const plan = def.motions[motion as keyof typeof def.motions] as MotionPlan;
    problems.push(...checkInvite(plan, `/motions/${motion}`));
    if (plan.reward) problems.push(...checkReward(plan.reward, `/motions/${motion}/reward`, def));
  }
  return problems;
}

function checkInvite(plan: MotionPlan, at: string): Problem[] {
  const problems: Problem[] = [];
  const reminders = plan.invite.reminders ?? [];
  if (plan.invite.maxAttempts >= 1 && 1 + reminders.length > plan.invite.maxAttempts) {
    problems.push({
      pointer: `${at}/invite/reminders`,
      message: `the first ask plus ${reminders.length} reminder${reminders.length === 1 ? '' : 's'} is ${1 + reminders.length} asks, more than maxAttempts (${plan.invite.maxAttempts})`,
      expected: `at most ${plan.invite.maxAttempts - 1} reminder${plan.invite.maxAttempts === 2 ? '' : 's'}`,
      suggestion: `raise \`maxAttempts\` to ${1 + reminders.length} or remove a reminder`,
      code: 'invite.tooManyReminders',
    });
  }
  const spacing = reminders.reduce((sum, r) => sum + safeMs(r.after), 0);
  const timeout = safeMs(plan.activate.timeout);
  if (reminders.length > 0 && timeout > 0 && spacing >= timeout) {
    problems.push({
      pointer: `${at}/activate/timeout`,
      message: `the reminders are spread over ${days(spacing)} after the first ask, but Activate stops waiting after ${days(timeout)} (${plan.activate.timeout}): the last reminder would never be sent`,
      expected: `a timeout longer than the reminders' total spacing (${days(spacing)})`,
      suggestion: 'lengthen the activate timeout or space the reminders closer',
      code: 'invite.remindersExceedTimeout',
    });
  }
  if (timeout === 0 && plan.activate.timeout) {
    problems.push({
      pointer: `${at}/activate/timeout`,
      message: 'the activate timeout is zero: nobody could act in time',
      expected: 'a positive duration, e.g. P14D',
      code: 'duration.zero',
    });
  }
  reminders.forEach((r, i) => {
    if (safeMs(r.after) === 0) {
      problems.push({
        pointer: `${at}/invite/reminders/${i}/after`,
        message: 'a reminder zero time after the previous ask would arrive with it',
        expected: 'a positive duration, e.g. P4D',
        code: 'duration.zero',
      });
    }
  });
  return problems;
}

function checkReward(reward: Reward, at: string, def: AdvocacyJourneyDefinition): Problem[] {
  const problems: Problem[] = [];
  if (reward.type === 'two-sided' && !reward.referred) {
    problems.push({
      pointer: at,
      message: 'a two-sided reward needs `referred`: what the referred friend receives',
      expected: '`referred`: e.g. {"kind": "discount", "amount": 20, "currency": "USD"}',
      suggestion: 'add `referred`, or make the reward `one-sided`',
      code: 'reward.referredMissing',
    });
  }
  if (reward.type === 'tiered' && !(reward.tiers && reward.tiers.length > 0)) {
    problems.push({
      pointer: at,
      message: 'a tiered reward needs `tiers`: thresholds and their bonuses',
      expected: '`tiers`: e.g. [{"threshold": 3, "tier": "silver", "bonus": {...}}]',
      suggestion: 'add `tiers`, or make the reward `one-sided` or `two-sided`',
      code: 'reward.tiersMissing',
    });
  }
  if (reward.tiers && reward.type !== 'tiered') {
    problems.push({
      pointer: `${at}/tiers`,
      message: `tiers are only paid by a \`tiered\` reward, and this one is \`${reward.type}\``,
      suggestion: 'set `type` to `tiered` or remove `tiers`',
      code: 'reward.tiersUnused',
    });
  }
  (reward.tiers ?? []).forEach((tier, i, tiers) => {
    if (i > 0 && tier.threshold <= tiers[i - 1].threshold) {
      problems.push({
        pointer: `${at}/tiers/${i}/threshold`,
        message: `tier \`${tier.tier}\` starts at ${tier.threshold}, not above the previous tier \`${tiers[i - 1].tier}\` (${tiers[i - 1].threshold})`,
        expected: `a threshold above ${tiers[i - 1].threshold}: tiers ascend`,
        code: 'reward.tiersNotAscending',
      });
    }
  });
  const items: [string, { amount?: number; currency?: string } | undefined][] = [
    ['referrer', reward.referrer],
    ['referred', reward.referred],
    ...(reward.tiers ?? []).map((t, i) => [`tiers/${i}/bonus`, t.bonus] as [string, typeof t.bonus]),
  ];
  for (const [path, item] of items) {
    if (item && item.amount !== undefined && !item.currency) {
      problems.push({
        pointer: `${at}/${path}`,
        message: `an amount of ${item.amount} needs a currency`,
        expected: '`currency`: an ISO 4217 code, e.g. USD, EUR',
        code: 'reward.currencyMissing',
      });
    }
  }
  if (reward.release.on === 'hold' && !reward.release.hold) {
    problems.push({
      pointer: `${at}/release`,
      message: 'release on `hold` needs the hold period',
      expected: '`hold`: a duration, e.g. P30D',
      code: 'reward.holdMissing',
    });
  }
  if (reward.release.onNoConversion && reward.release.on !== 'conversion') {
    problems.push({
      pointer: `${at}/release/onNoConversion`,
      severity: 'warning',
      code: 'reward.onNoConversionUnused',
      message: `onNoConversion applies only to release on conversion; this reward is released on ${reward.release.on}`,
      expected: 'release.on: conversion, or no onNoConversion',
    });
  }
  if (reward.release.on === 'conversion' && !def.track.conversions.some((c) => c.stage === 'closed-won')) {
    problems.push({
      pointer: `${at}/release/on`,
      message: 'rewards are released on conversion, but `track` has no closed-won conversion event to release them',
      expected: 'a `track.conversions` entry with stage `closed-won`',
      suggestion: 'add {"event": "deal.closed_won", "stage": "closed-won"} to track.conversions',
      code: 'reward.noConversion',
    });
  }
  return problems;
}

function safeMs(duration: string | undefined): number {
  try {
    return duration ? durationMs(duration) : 0;
  } catch {
    return 0; // malformed durations are reported by the schema check
  }
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return Number.isInteger(d) ? `${d} day${d === 1 ? '' : 's'}` : `${Math.round(ms / 3_600_000)} hours`;
}
