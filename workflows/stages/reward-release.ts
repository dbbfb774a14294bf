// The second half of a reward (stages/reward.ts): wait for its release (the hold period, or the referral's
// closed-won), then pay it, or forfeit it when release.on conversion saw no conversion. The wait may hand over to a
// fresh run: the held reward stays in state.heldRewards, and the next run calls releaseHeldReward with it again.
import type { RewardRequest } from '../contract/index.ts';
import { email, failureMessage, optional } from '../journey/activities.ts';
import { iso, stopRequested, track, trackIfLive, type RunContext } from '../journey/context.ts';
import { note, type HeldReward, type RewardEntry } from '../journey/state.ts';
import { waitUntil } from '../journey/waits.ts';
import { askRequest, recipient, templateName } from './invite-message.ts';
import { flushLedgerReversals, forfeitInLedger } from '../journey/reward-ledger.ts';
import { showProgress } from '../journey/visibility.ts';
import { recordSentEmail } from '../journey/sends.ts';
import { queueReferrerUpdate } from '../journey/referrer-updates.ts';
import { honoursOptOut, recordsUnappliedEvents } from '../journey/unapplied-events.ts';

export type ReleaseOutcome = 'done' | 'handover';

export function rewardEntryFor(ctx: RunContext, req: RewardRequest, status: RewardEntry['status'], referred?: string): RewardEntry {
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

/** What every reward record says about its reward (rewardKey: the reward's own idempotency key). */
export function rewardFacts(e: RewardEntry) {
  return { rewardKey: e.key, referralId: e.referralId, role: e.role, kind: e.kind, amount: e.amount, currency: e.currency };
}

/** The state's entries of a held reward, by key (an entry trimmed from the bounded list is written back). */
function entriesOf(ctx: RunContext, hold: HeldReward): RewardEntry[] {
  return hold.requests.map((req) => {
    const found = ctx.state.rewards.find((e) => e.key === req.idempotencyKey);
    if (found) return found;
    const entry = rewardEntryFor(ctx, req, 'held', req.role === 'referrer' ? req.referred : undefined);
    ctx.state.rewards.push(entry);
    return entry;
  });
}

function forget(ctx: RunContext, hold: HeldReward): void {
  ctx.state.heldRewards = ctx.state.heldRewards?.filter((h) => h.referralId !== hold.referralId);
}

export async function releaseHeldReward(ctx: RunContext, hold: HeldReward): Promise<ReleaseOutcome> {
  const { state } = ctx;
  const rewardPlan = ctx.def.motions[state.motion!].reward!;
  const entries = entriesOf(ctx, hold);
  const releaseAt = Date.parse(hold.releaseAt);
  const stageOf = () => state.referrals.find((r) => r.referralId === hold.referralId)?.stage;
  const converted = () => stageOf() === 'closed-won';
  const reversed = () => entries.every((e) => e.status === 'reversed');
  const lost = () => hold.forfeits && stageOf() === 'closed-lost';
  // An opt-out stops contact, not payment: with the patch the hold runs its course (the fraud window, the wait for
  // the conversion); before it, an opt-out released the reward at once (paid early, or forfeited unconverted).
  const stopped = () => stopRequested(ctx) && !(ctx.state.suppression.optedOut && honoursOptOut(ctx));
  const waiting = () => ctx.now() < releaseAt && !stopped() && !reversed() && !lost() && !(hold.waitForConversion && converted());
  while (waiting()) {
    const why = hold.waitForConversion
      ? `referral ${hold.referralId} closing (at most until ${hold.releaseAt})`
      : `hold until ${hold.releaseAt}`;
    // Honouring an opt-out, the stop it is must not wake the wait (it would spin); a cancel or exit still does.
    const throughOptOut = stopRequested(ctx);
    const woke = await waitUntil(ctx, `releasing reward: ${why}`, {
      until: releaseAt,
      alsoWakeOn: () => converted() || reversed() || lost() || (throughOptOut && Boolean(ctx.cancelRequested || ctx.exitRequested)),
      mayHandOver: true,
      whileStopped: throughOptOut,
    });
    if (woke === 'handover') return 'handover';
    if (woke === 'skipped') break;
  }
  forget(ctx, hold);
  if (stopRequested(ctx) && ctx.cancelRequested) return 'done';
  if (hold.forfeits && !converted() && !reversed()) {
    await forfeit(
      ctx,
      hold,
      entries,
      lost()
        ? `referral ${hold.referralId} closed lost: no conversion, nothing paid`
        : `no conversion of referral ${hold.referralId} within the hold (until ${hold.releaseAt}): nothing paid`,
    );
    return 'done';
  }
  if (hold.waitForConversion && !converted())
    note(state, ctx.now(), `reward for ${hold.referralId} released at the end of the hold without a conversion`);
  await pay(ctx, hold, entries);
  // Rewards of one cycle finish in any order: the tier only goes up.
  const threshold = (tier: string | undefined) => rewardPlan.tiers?.find((t) => t.tier === tier)?.threshold ?? -1;
  if (hold.tier && threshold(hold.tier) >= threshold(state.history.tier)) state.history.tier = hold.tier;
  await thankYou(ctx, rewardPlan.thankYou, hold, entries);
  return 'done';
}

async function pay(ctx: RunContext, hold: HeldReward, entries: RewardEntry[]): Promise<void> {
  for (const [i, req] of hold.requests.entries()) {
    const entry = entries[i];
    if (entry.status === 'reversed') continue;
    entry.issuing = true;
    try {
      // The advocate's own rewards this run claimed: no other writer has touched their entries since.
      const claimedByRun = hold.claimedFresh === true && req.recipientId === ctx.state.customerId;
      const result = await optional.issueReward.executeWithOptions(
        { startToCloseTimeout: '1 minute', summary: `reward ${req.role} ${req.item.kind} ${req.item.amount ?? ''}` },
        claimedByRun ? [req, { claimedByRun }] : [req],
      );
      entry.status = result.status === 'issued' ? 'issued' : 'failed';
      entry.provider = result.provider;
      entry.rewardId = result.rewardId;
      if (result.failure) entry.reason = `${entry.reason}; failed: ${result.failure}`;
    } catch (err) {
      entry.status = 'failed';
      entry.reason = `${entry.reason}; failed: ${failureMessage(err)}`;
    }
    entry.at = iso(ctx.now());
    if (entry.status === 'issued') {
      ctx.state.history.rewardsIssued++;
      track(ctx, 'reward.issued', { ...rewardFacts(entry), provider: entry.provider });
      // The referrer's own reward for a referral they made: the reward-issued referrer update (if declared).
      if (entry.role === 'referrer' && ctx.state.referrals.some((r) => r.referralId === entry.referralId))
        queueReferrerUpdate(ctx, entry.referralId, 'reward-issued');
    } else trackIfLive(ctx, 'reward.failed', { ...rewardFacts(entry), reason: entry.reason });
    await reverseAfterIssue(ctx, entry);
  }
  // A payout that failed for good needs an operator: the current details say so now, not at the next stage.
  if (entries.some((e) => e.status === 'failed')) showProgress(ctx);
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

async function forfeit(ctx: RunContext, hold: HeldReward, entries: RewardEntry[], reason: string): Promise<void> {
  const open = hold.requests.filter((_, i) => entries[i].status === 'held');
  for (const entry of entries) {
    if (entry.status !== 'held') continue;
    entry.status = 'forfeited';
    entry.reason = `${entry.reason}; forfeited: ${reason}`;
    entry.at = iso(ctx.now());
  }
  note(ctx.state, ctx.now(), `reward for ${hold.referralId} forfeited: ${reason}`);
  const amount = open.reduce((sum, r) => sum + (r.item.amount ?? 0), 0);
  track(ctx, 'reward.forfeited', { referralId: hold.referralId, reason, keys: open.map((r) => r.idempotencyKey), amount });
  await forfeitInLedger(ctx, open, reason);
}

async function thankYou(
  ctx: RunContext,
  template: Parameters<typeof templateName>[0] | undefined,
  hold: HeldReward,
  entries: RewardEntry[],
): Promise<void> {
  const referralId = hold.referralId;
  const to = recipient(ctx, 'email');
  const issued = entries.filter((e) => e.status === 'issued' && e.role !== 'referred');
  if (!template || !to || issued.length === 0 || ctx.state.suppression.emailChannel || ctx.state.suppression.optedOut) {
    // Paid for an action taken before the opt-out: the customer hears nothing, and the record says so.
    if (template && issued.length > 0 && ctx.state.suppression.optedOut && recordsUnappliedEvents(ctx)) {
      note(ctx.state, ctx.now(), `thank-you for ${referralId} withheld: the customer opted out (${ctx.state.suppression.optedOut.reason})`);
      track(ctx, 'thanks.withheld', { referralId, reason: 'opted-out', rewardKeys: issued.map((e) => e.key) });
    }
    return;
  }
  const sendKey = `${ctx.workflowId}:${ctx.state.cycle}:thank-you:${referralId}`;
  const paid = hold.requests.filter((_, i) => issued.includes(entries[i]));
  // "You are now a gold advocate" only when this referral paid the bonus of reaching that tier.
  const liftedTo = paid.some((r) => r.role === 'tier-bonus') ? hold.tier : undefined;
  const name = templateName(template);
  try {
    const req = askRequest(ctx, {
      sendKey,
      step: `thank-you:${referralId}`,
      to,
      template,
      channel: 'email',
      attempt: 1,
      stream: 'outbound',
      // What the thank-you says: each paid reward in words, and the tier this referral reached (message model).
      thankYou: { referralId, rewards: paid.map((r) => ({ role: r.role, item: r.item })), tier: liftedTo },
    });
    const result = await email.sendEmail.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `thank-you, template ${name}` }, [
      req,
    ]);
    recordSentEmail(ctx, req, result);
    trackIfLive(ctx, 'thanks.sent', { referralId, sendKey, template: name, rewardKeys: issued.map((e) => e.key) });
  } catch (err) {
    note(ctx.state, ctx.now(), `thank-you for ${referralId} not sent: ${failureMessage(err)}`);
    trackIfLive(ctx, 'thanks.failed', { referralId, sendKey, reason: failureMessage(err).slice(0, 300) });
  }
}
