// Messages of the customer workflow beyond the shared ones in workflows/messages.ts: the reward ledger.
// Defined once here; the reward activities and the API import them.
import { defineUpdate } from '@temporalio/workflow';
import type { LedgerWrite, LedgerWriteResult } from './ledger.ts';

/** Record or move one reward in the customer's ledger; idempotent by the reward's id. */
export const recordRewardUpdate = defineUpdate<LedgerWriteResult, [LedgerWrite]>('recordReward');
