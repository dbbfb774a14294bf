// Waiting for the current workflow activation's work to settle, so that what it produces goes out together: the
// tracking writer's batch (stages/track.ts) and the search-attribute upsert (journey/visibility.ts).
import { condition } from '@temporalio/workflow';

/**
 * Resolves once `quietRounds` rounds of the activation in a row pass without `size()` moving (at most 8 rounds):
 * the signal handler's facts and the stage's facts that follow from them (delight → qualified → first ask planned).
 * Each `condition(() => true)` resolves one round of the activation later; no command, no history event. Other
 * continuations resolved in the same round may run after this one, so a change they make shows only in the next
 * round, and a stage's move to the next stage takes a few rounds with no change between (a referral: Activate ends,
 * then Reward claims the reward and shows its stage). The upsert waits for 4 quiet rounds, which holds the
 * shipped journeys' moves in one upsert per activation (test/interpreter-bookkeeping.test.ts); the tracking writer
 * keeps the one round it has always waited for, since its recorded histories cut their batches there.
 */
export async function activationSettled(size: () => number, quietRounds = 1): Promise<void> {
  let last = size();
  let quiet = 0;
  for (let round = 0; round < 8 && quiet < quietRounds; round++) {
    await condition(() => true);
    const now = size();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}
