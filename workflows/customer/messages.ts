// Messages of the customer workflow beyond the shared ones in workflows/messages.ts: the reward ledger and the sends.
// Defined once here; the reward and email activities and the API import them.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OperatorAction } from '../messages.ts';
import type { LedgerWrite, LedgerWriteResult, RewardClaim, RewardClaimResult } from './ledger.ts';
import type { SentEmail } from './sends.ts';

/** Record or move one reward in the customer's ledger; idempotent by the reward's id. */
export const recordRewardUpdate = defineUpdate<LedgerWriteResult, [LedgerWrite]>('recordReward');

/** Check a new reward against the advocate's whole ledger (caps, duplicate referred person) and write it, atomically. */
export const claimRewardUpdate = defineUpdate<RewardClaimResult, [RewardClaim]>('claimReward');

/** Record one email the customer was sent (any journey, any stage); idempotent by sendKey. A signal, not an update:
 *  durable once the server has it, so a send never waits for a workflow worker (e.g. while the only one drains). */
export const recordSendSignal = defineSignal<[SentEmail]>('recordSend');

/** Hand customer:<id> over to a fresh history (continue-as-new) at once, carrying its state: how it leaves a history
 *  an older release started (docs/versioning.md). Answers with the customer's state. */
export const handOverCustomerUpdate = defineUpdate<unknown, [OperatorAction]>('handOver');
