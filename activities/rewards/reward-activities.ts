// Activities of the Reward stage: issue, hold, refuse and reverse rewards. Every reward is kept in the
// recipient's ledger in their customer workflow (durable in Temporal, readable with customerStateQuery);
// with a webhook configured the payout itself goes to the company's system first.
import {
  type RewardRequest,
  type RewardResult,
  type ReverseRewardRequest,
  type ReverseRewardResult,
  claimRewardUpdate,
  recordRewardUpdate,
  type LedgerWrite,
  type LedgerWriteResult,
  type RewardClaim,
  type RewardClaimResult,
  type RewardStatus,
} from '../../workflows/contract/index.ts';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { updateCustomer, type CustomerWorkflowDeps } from '../contact/customer-update.ts';
import { postRewardWebhook, type RewardWebhookConfig } from './webhook-provider.ts';

export interface RewardActivityDeps extends CustomerWorkflowDeps {
  /** When set, payouts and reversals go to this webhook; otherwise the ledger alone is the provider. */
  webhook?: RewardWebhookConfig;
}

function ledgerWrite(req: RewardRequest, status: RewardStatus, extra: Partial<LedgerWrite> = {}): LedgerWrite {
  return {
    id: req.idempotencyKey,
    customerId: req.recipientId,
    kind: req.item.kind,
    amount: req.item.amount,
    currency: req.item.currency,
    reason: req.reason,
    journeyId: req.journeyId,
    journeyVersion: req.journeyVersion,
    role: req.role,
    ruleId: req.ruleId,
    referralId: req.referralId,
    advocateId: req.advocateId,
    ...(req.referred ? { referred: req.referred } : {}),
    status,
    ...extra,
  };
}

/** The attempt of the activity running this code (1 outside an activity, where nothing retries it). */
function activityAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

export function createRewardActivities(deps: RewardActivityDeps) {
  const provider = deps.webhook ? ('webhook' as const) : ('ledger' as const);
  const record = (customerId: string, write: LedgerWrite): Promise<LedgerWriteResult> =>
    updateCustomer(deps, customerId, recordRewardUpdate, write, `ledger:${write.id}:${write.status}`);

  return {
    /**
     * Pays one reward exactly once per idempotencyKey. Throws a non-retryable failure (RewardRejected, InvalidRequest)
     * when no retry can pay it (recorded as failed).
     *
     * The ledger decides first (a `pending` write): a reward already paid is not paid again, one reversed, refused or
     * forfeited never. `claimedByRun`: the run's own claim created the entry and only that run has written it since
     * (it claimed, maybe held, and pays; a reversal waits for the payout's answer), so the ledger can only say what the
     * run already knows. The first attempt then goes straight to the provider, one customer:<id> update fewer (5
     * history events); the entry shows held (or pending) until `issued`, not pending meanwhile. A retry decides
     * first again: an attempt that paid but did not record it finds the entry as it left it.
     *
     * Without a webhook the ledger itself is the payout, so the `issued` write is the decision too: it is refused for
     * an entry reversed, refused or forfeited, and a repeat finds it issued, in the one update. Nothing is called
     * between the two writes, so `pending` would stand for no payout in flight: one customer:<id> update fewer per
     * reward (5 history events: the referred friend's reward on every paid referral).
     */
    async issueReward(req: RewardRequest, opts: { claimedByRun?: boolean } = {}): Promise<RewardResult> {
      if (deps.webhook && !(opts.claimedByRun && activityAttempt() === 1)) {
        const started = await record(req.recipientId, ledgerWrite(req, 'pending', { provider }));
        if (started.entry.status === 'issued') return { rewardId: started.entry.id, status: 'issued', provider };
        if (started.rejected) return { rewardId: started.entry.id, status: 'failed', provider, failure: started.rejected };
      }
      if (deps.webhook) {
        try {
          await postRewardWebhook(deps.webhook, req.idempotencyKey, {
            action: 'issue',
            rewardId: req.idempotencyKey,
            recipientId: req.recipientId,
            advocateId: req.advocateId,
            role: req.role,
            kind: req.item.kind,
            amount: req.item.amount,
            currency: req.item.currency,
            description: req.item.description,
            reason: req.reason,
            journeyId: req.journeyId,
            journeyVersion: req.journeyVersion,
            referralId: req.referralId,
            ruleId: req.ruleId,
          });
        } catch (err) {
          // Refused for good (RewardRejected) or a request that can never be sent: failed in the ledger, for operators.
          if (err instanceof ApplicationFailure && err.nonRetryable) {
            await record(req.recipientId, ledgerWrite(req, 'failed', { provider, failure: err.message }));
          }
          throw err;
        }
      }
      const { entry, rejected } = await record(req.recipientId, ledgerWrite(req, 'issued', { provider }));
      if (entry.status === 'issued') return { rewardId: entry.id, status: 'issued', provider };
      return { rewardId: entry.id, status: 'failed', provider, failure: rejected ?? `reward is ${entry.status}` };
    },

    /** Checks a new reward against the advocate's whole ledger (every journey: caps, the same person referred
     *  twice) and writes it held or pending in the same Update; a refusal is written as refused, with the reason. */
    async claimReward(
      req: RewardRequest | RewardRequest[],
      checks: Omit<RewardClaim, 'write' | 'also'>,
      status: 'held' | 'pending',
      releaseAt?: string,
    ): Promise<RewardClaimResult> {
      // Every reward of the action for this recipient (the referrer reward and any tier bonus), claimed as one.
      const [first, ...rest] = Array.isArray(req) ? req : [req];
      const toWrite = (r: RewardRequest) =>
        ledgerWrite(r, status, { provider, ...(releaseAt ? { releaseAt, note: `held until ${releaseAt}` } : {}) });
      const claim: RewardClaim = { ...checks, write: toWrite(first), ...(rest.length ? { also: rest.map(toWrite) } : {}) };
      return updateCustomer(deps, first.recipientId, claimRewardUpdate, claim, `ledger:${first.idempotencyKey}:claim`);
    },

    /** Records a reward held until its release (release.on hold / conversion). */
    async holdReward(req: RewardRequest, releaseAt: string): Promise<{ rewardId: string; status: RewardStatus }> {
      const { entry } = await record(req.recipientId, ledgerWrite(req, 'held', { provider, releaseAt, note: `held until ${releaseAt}` }));
      return { rewardId: entry.id, status: entry.status };
    },

    /** Records a reward the policy refused (cap, fraud), with the reason, so operators see why nothing was paid. */
    async refuseReward(req: RewardRequest, reason: string): Promise<{ rewardId: string; status: RewardStatus }> {
      const { entry } = await record(req.recipientId, ledgerWrite(req, 'refused', { provider, failure: reason, note: reason }));
      return { rewardId: entry.id, status: entry.status };
    },

    /** Records a held reward as forfeited (its referral never converted within the hold, or closed lost): never paid. */
    async forfeitReward(req: RewardRequest, reason: string): Promise<{ rewardId: string; status: RewardStatus }> {
      const { entry } = await record(req.recipientId, ledgerWrite(req, 'forfeited', { provider, failure: reason, note: reason }));
      return { rewardId: entry.id, status: entry.status };
    },

    /**
     * Reverses an issued or held reward (refund, churn within the window); once per reward. The ledger first: the
     * billing system hears of a reversal only for a reward it was paid for (the ledger's entry was issued), and only
     * after that payout was answered (the interpreter reverses a payout in flight only once it has its answer), so
     * the receiver never sees reverse before issue for one key, nor a reverse for a reward it never paid.
     */
    async reverseReward(req: ReverseRewardRequest): Promise<ReverseRewardResult> {
      const { entry, rejected } = await updateCustomer(
        deps,
        req.recipientId,
        recordRewardUpdate,
        {
          id: req.idempotencyKey,
          customerId: req.recipientId,
          kind: 'unknown',
          reason: req.reason,
          journeyId: '',
          journeyVersion: 0,
          status: 'reversed',
          note: req.reason,
        },
        `ledger:${req.idempotencyKey}:reversed`,
      );
      if (entry.status !== 'reversed') return { rewardId: entry.id, status: 'failed', failure: rejected ?? `reward is ${entry.status}` };
      const paid = entry.history.some((h) => h.status === 'issued');
      if (deps.webhook && paid) {
        // A retry after a failed post finds the ledger already reversed (a repeat) and posts again, same key.
        await postRewardWebhook(deps.webhook, `${req.idempotencyKey}:reverse`, {
          action: 'reverse',
          rewardId: req.idempotencyKey,
          recipientId: req.recipientId,
          reason: req.reason,
        });
      }
      return { rewardId: entry.id, status: 'reversed' };
    },
  };
}
