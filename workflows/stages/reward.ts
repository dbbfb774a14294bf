// Reward: the rewards engineer's pure policy (fraud, caps, tiers, release) decides; this stage claims the reward in
// the advocate's ledger, holds it until its release (stages/reward-release.ts) and pays it through issueReward,
// each reward with its idempotency key. Every action of the cycle is rewarded on its own (its referralId): the first
// one Activate took, those already waiting, and those that arrive while any reward of the cycle is still held.
// A held reward is written to the run's state (heldRewards) before its wait, so a handover in the middle of a hold
// (history limit, or an operator's handOver) carries it, and the next run releases it: paid once, by its key.
import { condition } from '@temporalio/workflow';
import type { JourneyEvent } from '../contract/index.ts';
import { decideReward, type PastReward } from '../rewards/policy.ts';
import { iso, stopRequested, track, trackIfLive, wake, type RunContext } from '../journey/context.ts';
import { handoverDue } from '../journey/handover.ts';
import { LIST_MAX, note, type HeldReward } from '../journey/state.ts';
import { waitUntil } from '../journey/waits.ts';
import { actionWaiting, takeAction } from './activate.ts';
import { durationMs } from '../../definitions/duration.ts';
import { isPatched } from '../journey/patch-check.ts';
import { PATCH_REWARD_CLAIM_WRITES_THE_HOLD } from '../patches.ts';
import { claimInLedger, holdInLedger, refuseInLedger } from '../journey/reward-ledger.ts';
import { heldOut, rewardForArm } from '../journey/experiment.ts';
import { honoursOptOut } from '../journey/unapplied-events.ts';
import { releaseHeldReward, rewardEntryFor, rewardFacts, type ReleaseOutcome } from './reward-release.ts';

export type RewardOutcome = 'done' | 'handover';

function pastRewards(ctx: RunContext): PastReward[] {
  return ctx.state.rewards.map((r) => ({ at: r.at, role: r.role, amount: r.amount, status: r.status, referred: r.referred }));
}

function referralIdOf(action: JourneyEvent): string {
  return String(action.data?.referralId ?? action.id);
}

/**
 * Rewards the cycle's actions, each once by its referralId, concurrently (each waits for its own release), and
 * releases the rewards a previous run of this cycle handed over while they were held. 'handover': every reward still
 * held is in state.heldRewards and the run should continue as new; no reward is half-paid (handovers happen only in
 * waits, never between an activity and its result).
 */
export async function reward(ctx: RunContext, first: JourneyEvent | undefined): Promise<RewardOutcome> {
  if (!ctx.def.motions[ctx.state.motion!].reward) return 'done';
  // Control of an experiment is never rewarded: its action is tracked (action.taken), nothing is paid.
  if (heldOut(ctx)) {
    note(ctx.state, ctx.now(), `no reward: held out as control of experiment ${ctx.state.experiment?.id}`);
    return 'done';
  }
  const running = new Set<Promise<void>>();
  const taken = new Set<string>();
  let failure: unknown;
  let handedOver = false;
  const run = (work: () => Promise<ReleaseOutcome>) => {
    const done: Promise<void> = work().then(
      (outcome) => {
        if (outcome === 'handover') handedOver = true;
        running.delete(done);
        wake(ctx);
      },
      (err) => {
        failure ??= err;
        running.delete(done);
        wake(ctx);
      },
    );
    running.add(done);
  };
  const start = (action: JourneyEvent) => {
    const referralId = referralIdOf(action);
    if (taken.has(referralId) || ctx.state.rewards.some((r) => r.referralId === referralId && r.role === 'referrer')) {
      note(ctx.state, ctx.now(), `${action.type} ${action.id}: referral ${referralId} was already rewarded (or refused) once`);
      return;
    }
    taken.add(referralId);
    run(() => grantReward(ctx, action));
  };
  for (const held of [...(ctx.state.heldRewards ?? [])]) {
    taken.add(held.referralId);
    run(() => releaseHeldReward(ctx, held));
  }
  if (first) start(first);
  // Activate's window stays open until its deadline (from the first ask), and while any reward is still held.
  const activatePlan = ctx.def.motions[ctx.state.motion!].activate;
  const deadline = (ctx.state.asks[0] ? Date.parse(ctx.state.asks[0].at) : ctx.now()) + durationMs(activatePlan.timeout);
  // New actions wait in the inbox (carried) while the run hands over: the next run rewards them.
  const mayTakeMore = () => !stopRequested(ctx) && !handoverDue(ctx);
  for (;;) {
    if (mayTakeMore()) for (let next = takeAction(ctx); next; next = takeAction(ctx)) start(next);
    // Opted out: the actions heard before the opt-out was applied are still rewarded, once; none after it
    // (journey/opt-out-honour.ts). A run without the patch left them in the inbox.
    else if (!ctx.optOutApplied && !handoverDue(ctx) && honoursOptOut(ctx)) {
      for (let next = takeAction(ctx); next; next = takeAction(ctx)) start(next);
      ctx.optOutApplied = true;
    }
    if (failure) break;
    if (running.size === 0) {
      if (handedOver) return 'handover';
      if (stopRequested(ctx) || ctx.now() >= deadline) break;
      const actions = activatePlan.actions.map((a) => a.event).join(' or ');
      const woke = await waitUntil(ctx, `rewarded ${taken.size}; taking more ${actions} until ${iso(deadline)}`, {
        until: deadline,
        alsoWakeOn: () => actionWaiting(ctx),
        mayHandOver: true,
      });
      if (woke === 'handover') return 'handover';
      if (woke === 'skipped') break;
      continue;
    }
    const changes = ctx.changes;
    await condition(() => running.size === 0 || ctx.changes !== changes || (mayTakeMore() && actionWaiting(ctx)));
  }
  if (failure) throw failure;
  // What is left was not released because the run was cancelled: it stays held in the ledger, not carried on.
  ctx.state.heldRewards = undefined;
  return 'done';
}

/** Decides one action's rewards, claims them in the advocate's ledger, and holds them until their release. */
async function grantReward(ctx: RunContext, action: JourneyEvent): Promise<ReleaseOutcome> {
  const { state } = ctx;
  const rewardPlan = rewardForArm(ctx, ctx.def.motions[state.motion!].reward!);
  const data = action.data ?? {};
  const facts = {
    advocateId: state.customerId,
    advocateEmail: typeof state.traits.email === 'string' ? state.traits.email : undefined,
    referralId: referralIdOf(action),
    referredEmail: typeof data.referredEmail === 'string' ? data.referredEmail : undefined,
    referredCustomerId: typeof data.referredCustomerId === 'string' ? data.referredCustomerId : undefined,
  };
  const rewardedBefore = state.rewards.filter((r) => r.role === 'referrer' && (r.status === 'issued' || r.status === 'held')).length;
  const decision = decideReward(rewardPlan, facts, pastRewards(ctx), {
    journeyId: ctx.plan.journeyId,
    journeyVersion: ctx.plan.version,
    rewardedActionsBefore: rewardedBefore,
    nowMs: ctx.now(),
  });
  const referred = facts.referredCustomerId
    ? `id:${facts.referredCustomerId}`
    : facts.referredEmail
      ? `email:${facts.referredEmail.toLowerCase()}`
      : undefined;
  if (!decision.grant) {
    state.rewards.push({
      key: `refused:${facts.referralId}`,
      role: 'referrer',
      referralId: facts.referralId,
      recipientId: state.customerId,
      kind: rewardPlan.referrer.kind,
      status: 'refused',
      at: iso(ctx.now()),
      reason: decision.refusal.reason,
      referred,
    });
    track(ctx, 'reward.refused', { referralId: facts.referralId, rule: decision.refusal.rule, reason: decision.refusal.reason });
    await refuseInLedger(ctx, decision.requests, decision.refusal.reason);
    return 'done';
  }
  const entries = decision.requests.map((r) => rewardEntryFor(ctx, r, 'held', r.role === 'referrer' ? referred : undefined));
  state.rewards.push(...entries);
  if (state.rewards.length > LIST_MAX) state.rewards.splice(0, state.rewards.length - LIST_MAX);

  // release.on conversion pays for a conversion: without one (hold over, or closed-lost) the reward is forfeited
  // unless the plan says release.
  const forfeits = decision.release.waitForConversion && rewardPlan.release.onNoConversion !== 'release';
  // With no hold, a reward released on conversion waits as long as the referral can be attributed.
  const releaseAt =
    forfeits && !rewardPlan.release.hold ? iso(ctx.now() + durationMs(ctx.def.track.attributionWindow)) : decision.release.releaseAt;
  // Caps and the duplicate check across every journey of the advocate: the advocate's ledger decides, atomically.
  const held = ctx.now() < Date.parse(releaseAt);
  // The advocate's own rewards of this action (the referrer reward and any tier bonus) are claimed together.
  const own = decision.requests.filter((r) => r.recipientId === state.customerId);
  const claim = await claimInLedger(ctx, own, rewardPlan, held ? 'held' : 'pending', held ? releaseAt : undefined);
  if (claim.refused) {
    const refusedByLedger = claim.refused;
    for (const entry of entries) Object.assign(entry, { status: 'refused', reason: refusedByLedger.reason, at: iso(ctx.now()) });
    track(ctx, 'reward.refused', { referralId: facts.referralId, rule: refusedByLedger.rule, reason: refusedByLedger.reason });
    await refuseInLedger(
      ctx,
      decision.requests.filter((r) => !own.includes(r)),
      refusedByLedger.reason,
    );
    return 'done';
  }
  const hold: HeldReward = {
    referralId: facts.referralId,
    requests: decision.requests,
    releaseAt,
    waitForConversion: decision.release.waitForConversion,
    forfeits,
    tier: decision.tier,
    ...(claim.fresh ? { claimedFresh: true } : {}),
  };
  const converted = () => state.referrals.find((r) => r.referralId === facts.referralId)?.stage === 'closed-won';
  if (held && !(hold.waitForConversion && converted())) {
    for (const e of entries)
      trackIfLive(ctx, 'reward.held', { ...rewardFacts(e), until: releaseAt, forConversion: hold.waitForConversion });
    // A fresh claim wrote the advocate's own entries held, with releaseAt: only the others are written here.
    const claimHeldOwn = claim.fresh && isPatched(ctx, PATCH_REWARD_CLAIM_WRITES_THE_HOLD);
    await holdInLedger(ctx, claimHeldOwn ? decision.requests.filter((r) => !own.includes(r)) : decision.requests, releaseAt);
  }
  (state.heldRewards ??= []).push(hold);
  return releaseHeldReward(ctx, hold);
}
