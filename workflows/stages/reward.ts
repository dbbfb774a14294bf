// Reward: the rewards engineer's pure policy (fraud, caps, tiers, release) decides; this stage waits for the
// release (hold period, or the referral's closed-won) and pays through issueReward, each reward with its
// idempotency key. Without an issueReward activity on the worker, the run's own ledger records it (built-in).
// Every action of the cycle is rewarded on its own (its referralId): the first one Activate took, those already
// waiting, and those that arrive while any reward of the cycle is still held.
import { condition, patched } from '@temporalio/workflow';
import type { RewardRequest } from '../../activities/journey/types.ts';
import type { JourneyEvent } from '../messages.ts';
import { decideReward, type PastReward } from '../rewards/policy.ts';
import { email, failureMessage, isNotRegistered, optional } from '../journey/activities.ts';
import { iso, stopRequested, track, wake, type RunContext } from '../journey/context.ts';
import { LIST_MAX, note, type RewardEntry } from '../journey/state.ts';
import { waitUntil } from '../journey/waits.ts';
import { showProgress } from '../journey/visibility.ts';
import { askRequest, recipient, templateName } from './invite-message.ts';
import { actionWaiting, takeAction } from './activate.ts';
import { durationMs } from '../../definitions/duration.ts';
import {
  claimInLedger,
  flushLedgerReversals,
  forfeitInLedger,
  holdInLedger,
  PATCH_FORFEIT,
  refuseInLedger,
} from '../journey/reward-ledger.ts';

/** Runs from before this rule rewarded only the first action of a cycle. */
export const PATCH_EACH_ACTION = 'reward-each-action';

function pastRewards(ctx: RunContext): PastReward[] {
  return ctx.state.rewards.map((r) => ({ at: r.at, role: r.role, amount: r.amount, status: r.status, referred: r.referred }));
}

function entryFor(ctx: RunContext, req: RewardRequest, status: RewardEntry['status'], referred?: string): RewardEntry {
  return {
    key: req.idempotencyKey,
    role: req.role,
    referralId: req.referralId ?? '',
    recipientId: req.recipientId,
    amount: req.item.amount,
    currency: req.item.currency,
    kind: req.item.kind,
    status,
    at: iso(ctx.now()),
    reason: req.reason,
    referred,
  };
}

function referralIdOf(action: JourneyEvent): string {
  return String(action.data?.referralId ?? action.id);
}

/** Rewards the cycle's actions, each once by its referralId, concurrently (each waits for its own release). */
export async function reward(ctx: RunContext, first: JourneyEvent): Promise<void> {
  if (!ctx.def.motions[ctx.state.motion!].reward) return;
  if (!patched(PATCH_EACH_ACTION)) return rewardAction(ctx, first);
  const running = new Set<Promise<void>>();
  const taken = new Set<string>();
  let failure: unknown;
  const start = (action: JourneyEvent) => {
    const referralId = referralIdOf(action);
    if (taken.has(referralId) || ctx.state.rewards.some((r) => r.referralId === referralId && r.role === 'referrer')) {
      note(ctx.state, ctx.now(), `${action.type} ${action.id}: referral ${referralId} was already rewarded (or refused) once`);
      return;
    }
    taken.add(referralId);
    const done: Promise<void> = rewardAction(ctx, action).then(
      () => {
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
  start(first);
  // Activate's window stays open until its deadline (from the first ask), and while any reward is still held.
  const activatePlan = ctx.def.motions[ctx.state.motion!].activate;
  const deadline = (ctx.state.asks[0] ? Date.parse(ctx.state.asks[0].at) : ctx.now()) + durationMs(activatePlan.timeout);
  for (;;) {
    if (!stopRequested(ctx)) for (let next = takeAction(ctx); next; next = takeAction(ctx)) start(next);
    if (failure) break;
    if (running.size === 0) {
      if (stopRequested(ctx) || ctx.now() >= deadline) break;
      const woke = await waitUntil(
        ctx,
        deadline,
        `rewarded ${taken.size}; taking more ${activatePlan.actions.map((a) => a.event).join(' or ')} until ${iso(deadline)}`,
        () => actionWaiting(ctx),
      );
      if (woke === 'skipped') break;
      continue;
    }
    const changes = ctx.changes;
    await condition(() => running.size === 0 || ctx.changes !== changes || (!stopRequested(ctx) && actionWaiting(ctx)));
  }
  if (failure) throw failure;
}

async function rewardAction(ctx: RunContext, action: JourneyEvent): Promise<void> {
  const { state } = ctx;
  const rewardPlan = ctx.def.motions[state.motion!].reward!;
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
    return;
  }
  const entries = decision.requests.map((r) => entryFor(ctx, r, 'held', r.role === 'referrer' ? referred : undefined));
  state.rewards.push(...entries);
  if (state.rewards.length > LIST_MAX) state.rewards.splice(0, state.rewards.length - LIST_MAX);

  // release.on conversion pays for a conversion: without one (hold over, or closed-lost) the reward is forfeited
  // unless the plan says release. Runs from before this rule released it at the end of the hold.
  const forfeits = decision.release.waitForConversion && rewardPlan.release.onNoConversion !== 'release' && patched(PATCH_FORFEIT);
  // With no hold, a reward released on conversion waits as long as the referral can be attributed.
  const releaseIso =
    forfeits && !rewardPlan.release.hold ? iso(ctx.now() + durationMs(ctx.def.track.attributionWindow)) : decision.release.releaseAt;
  const releaseAt = Date.parse(releaseIso);
  // Caps and the duplicate check across every journey of the advocate: the advocate's ledger decides, atomically.
  const held = ctx.now() < releaseAt;
  // The advocate's own rewards of this action (the referrer reward and any tier bonus) are claimed together.
  const own = decision.requests.filter((r) => r.recipientId === state.customerId);
  const refusedByLedger = await claimInLedger(ctx, own, rewardPlan, held ? 'held' : 'pending', held ? releaseIso : undefined);
  if (refusedByLedger) {
    for (const entry of entries) Object.assign(entry, { status: 'refused', reason: refusedByLedger.reason, at: iso(ctx.now()) });
    track(ctx, 'reward.refused', { referralId: facts.referralId, rule: refusedByLedger.rule, reason: refusedByLedger.reason });
    await refuseInLedger(
      ctx,
      decision.requests.filter((r) => !own.includes(r)),
      refusedByLedger.reason,
    );
    return;
  }
  const stageOf = () => state.referrals.find((r) => r.referralId === facts.referralId)?.stage;
  const converted = () => stageOf() === 'closed-won';
  const reversed = () => entries.every((e) => e.status === 'reversed');
  const lost = () => forfeits && stageOf() === 'closed-lost';
  if (ctx.now() < releaseAt && !(decision.release.waitForConversion && converted())) await holdInLedger(ctx, decision.requests, releaseIso);
  while (ctx.now() < releaseAt && !stopRequested(ctx) && !reversed() && !lost() && !(decision.release.waitForConversion && converted())) {
    const why = decision.release.waitForConversion
      ? `referral ${facts.referralId} closing (at most until ${releaseIso})`
      : `hold until ${releaseIso}`;
    const woke = await waitUntil(ctx, releaseAt, `releasing reward: ${why}`, () => converted() || reversed() || lost());
    if (woke === 'skipped') break;
  }
  if (stopRequested(ctx) && ctx.cancelRequested) return;
  if (forfeits && !converted() && !reversed()) {
    await forfeit(
      ctx,
      decision.requests,
      entries,
      facts.referralId,
      lost()
        ? `referral ${facts.referralId} closed lost: no conversion, nothing paid`
        : `no conversion of referral ${facts.referralId} within the hold (until ${releaseIso}): nothing paid`,
    );
    return;
  }
  if (decision.release.waitForConversion && !converted())
    note(state, ctx.now(), `reward for ${facts.referralId} released at the end of the hold without a conversion`);

  for (const [i, req] of decision.requests.entries()) {
    const entry = entries[i];
    if (entry.status === 'reversed') continue;
    entry.issuing = true;
    try {
      const result = await optional.issueReward.executeWithOptions(
        { startToCloseTimeout: '1 minute', summary: `reward ${req.role} ${req.item.kind} ${req.item.amount ?? ''}` },
        [req],
      );
      entry.status = result.status === 'issued' ? 'issued' : 'failed';
      entry.provider = result.provider;
      entry.rewardId = result.rewardId;
      if (result.failure) entry.reason = `${entry.reason}; failed: ${result.failure}`;
    } catch (err) {
      if (!isNotRegistered(err)) {
        entry.status = 'failed';
        entry.reason = `${entry.reason}; failed: ${failureMessage(err)}`;
      } else {
        // No reward activity registered: the run's own ledger is the record (the idempotency key is the id).
        entry.status = 'issued';
        entry.provider = 'built-in';
        entry.rewardId = req.idempotencyKey;
      }
    }
    entry.at = iso(ctx.now());
    if (entry.status === 'issued') {
      state.history.rewardsIssued++;
      track(ctx, 'reward.issued', { key: entry.key, role: entry.role, kind: entry.kind, amount: entry.amount, provider: entry.provider });
    }
    await reverseAfterIssue(ctx, entry);
  }
  // A payout that failed for good needs an operator: the current details say so now, not at the next stage.
  if (entries.some((e) => e.status === 'failed')) showProgress(ctx);
  // Rewards of one cycle finish in any order: the tier only goes up.
  const threshold = (tier: string | undefined) => rewardPlan.tiers?.find((t) => t.tier === tier)?.threshold ?? -1;
  if (decision.tier && threshold(decision.tier) >= threshold(state.history.tier)) state.history.tier = decision.tier;
  await thankYou(ctx, rewardPlan.thankYou, facts.referralId, entries);
}

/**
 * The end of one payout's flight: a reversal that came in meanwhile (recordReversal left it in reverseAfterIssue) is
 * applied now, after the issue has its answer. So the ledger sees issued before reversed, the receiver gets the
 * reverse request only after the issue was answered, and the issue's result can no longer overwrite a reversal.
 */
async function reverseAfterIssue(ctx: RunContext, entry: RewardEntry): Promise<void> {
  delete entry.issuing;
  const reason = entry.reverseAfterIssue;
  if (!reason) return;
  delete entry.reverseAfterIssue;
  if (entry.status !== 'issued') {
    note(ctx.state, ctx.now(), `reward ${entry.key}: ${reason}, but the payout ${entry.status}: nothing was paid, nothing to reverse`);
    return;
  }
  entry.status = 'reversed';
  entry.at = iso(ctx.now());
  note(ctx.state, ctx.now(), `reward ${entry.key} reversed after its payout answered (${reason})`);
  track(ctx, 'reward.reversed', {
    referralId: entry.referralId,
    rewardKey: entry.key,
    reason,
    amount: entry.amount ?? 0,
    ...(entry.currency ? { currency: entry.currency } : {}),
  });
  (ctx.ledgerReversals ??= []).push({ idempotencyKey: entry.key, recipientId: entry.recipientId, reason });
  await flushLedgerReversals(ctx);
}

async function forfeit(
  ctx: RunContext,
  requests: RewardRequest[],
  entries: RewardEntry[],
  referralId: string,
  reason: string,
): Promise<void> {
  const open = requests.filter((_, i) => entries[i].status === 'held');
  for (const entry of entries) {
    if (entry.status !== 'held') continue;
    entry.status = 'forfeited';
    entry.reason = `${entry.reason}; forfeited: ${reason}`;
    entry.at = iso(ctx.now());
  }
  note(ctx.state, ctx.now(), `reward for ${referralId} forfeited: ${reason}`);
  track(ctx, 'reward.forfeited', { referralId, reason, keys: open.map((r) => r.idempotencyKey) });
  await forfeitInLedger(ctx, open, reason);
}

async function thankYou(
  ctx: RunContext,
  template: Parameters<typeof templateName>[0] | undefined,
  referralId: string,
  entries: RewardEntry[],
): Promise<void> {
  const to = recipient(ctx, 'email');
  const issued = entries.filter((e) => e.status === 'issued' && e.role !== 'referred');
  if (!template || !to || issued.length === 0 || ctx.state.suppression.emailChannel || ctx.state.suppression.optedOut) return;
  const sendKey = `${ctx.workflowId}:${ctx.state.cycle}:thank-you:${referralId}`;
  try {
    await email.sendEmail.executeWithOptions(
      { startToCloseTimeout: '1 minute', summary: `thank-you, template ${templateName(template)}` },
      [
        askRequest(ctx, {
          sendKey,
          step: `thank-you:${referralId}`,
          to,
          template,
          channel: 'email',
          attempt: 1,
          stream: 'outbound',
          extra: { rewards: issued },
        }),
      ],
    );
  } catch (err) {
    note(ctx.state, ctx.now(), `thank-you for ${referralId} not sent: ${failureMessage(err)}`);
  }
}
