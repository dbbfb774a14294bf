// The customer ledger (customer:<id>) sees every reward the run decides, not only payouts: held until release,
// refused by policy, forfeited, reversed. A ledger write that fails is noted on the run; the run's own record stands.
import type { RewardRequest } from '../contract/index.ts';
import type { Reward } from '../../definitions/generated/journey.ts';
import { failureMessage, optional } from './activities.ts';
import { type RunContext } from './context.ts';
import { note } from './state.ts';

async function call(ctx: RunContext, what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    const result = (await run()) as { status?: string; failure?: string } | undefined;
    if (result?.status === 'failed') note(ctx.state, ctx.now(), `ledger ${what} failed: ${result.failure ?? 'unknown'}`);
  } catch (err) {
    note(ctx.state, ctx.now(), `ledger ${what} failed: ${failureMessage(err)}`);
  }
}

export async function holdInLedger(ctx: RunContext, requests: RewardRequest[], releaseAt: string): Promise<void> {
  for (const req of requests) {
    await call(ctx, `hold ${req.idempotencyKey}`, () =>
      optional.holdReward.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `hold ${req.role} reward until ${releaseAt}` }, [
        req,
        releaseAt,
      ]),
    );
  }
}

export async function refuseInLedger(ctx: RunContext, requests: RewardRequest[], reason: string): Promise<void> {
  for (const req of requests) {
    await call(ctx, `refuse ${req.idempotencyKey}`, () =>
      optional.refuseReward.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `refused ${req.role} reward: ${reason}` }, [
        req,
        reason,
      ]),
    );
  }
}

/** What the advocate's ledger said of a claim: refused (with the rule), or granted; `fresh` when this claim created
 *  the entries (not a repeat of an earlier claim of the same key, and the ledger was reached). */
export type LedgerClaim = { refused: { rule: string; reason: string } } | { refused?: undefined; fresh: boolean };

/** Caps and the duplicate check held in the advocate's ledger across journeys (claimReward): its refusal of a new
 *  reward, or granted (also when the ledger could not be reached: the run's own checks stand). */
export async function claimInLedger(
  ctx: RunContext,
  requests: RewardRequest[],
  reward: Reward,
  status: 'held' | 'pending',
  releaseAt?: string,
): Promise<LedgerClaim> {
  const checks = { rejectDuplicateReferred: reward.fraud?.rejectDuplicateReferred, caps: reward.caps };
  const req = requests[0];
  try {
    // Every reward of the action that is the advocate's own (referrer, tier bonuses): one claim, all or none.
    const result = await optional.claimReward.executeWithOptions(
      { startToCloseTimeout: '1 minute', summary: `claim ${requests.map((r) => r.role).join(' + ')} reward ${req.referralId ?? ''}` },
      [requests, checks, status, releaseAt],
    );
    if (!result.granted) return { refused: { rule: result.rule, reason: result.reason } };
    // A retried claim activity gets the first answer, whose entry still has its one status.
    return { fresh: result.entry.status === status && result.entry.history.length === 1 };
  } catch (err) {
    note(ctx.state, ctx.now(), `ledger claim ${req.idempotencyKey} failed: ${failureMessage(err)}; the run's own checks stand`);
    return { fresh: false };
  }
}

/** A held reward whose conversion never came (release.onNoConversion: forfeit): never paid. */
export async function forfeitInLedger(ctx: RunContext, requests: RewardRequest[], reason: string): Promise<void> {
  for (const req of requests) {
    await call(ctx, `forfeit ${req.idempotencyKey}`, () =>
      optional.forfeitReward.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `forfeited ${req.role} reward: ${reason}` }, [
        req,
        reason,
      ]),
    );
  }
}

/** Sends the reversals the journeyEvent handler queued (it runs this right after taking the event). */
export async function flushLedgerReversals(ctx: RunContext): Promise<void> {
  const queue = ctx.ledgerReversals;
  while (queue?.length) {
    const req = queue.shift()!;
    await call(ctx, `reverse ${req.idempotencyKey}`, () =>
      optional.reverseReward.executeWithOptions({ startToCloseTimeout: '1 minute', summary: `reverse reward: ${req.reason}` }, [req]),
    );
  }
}
