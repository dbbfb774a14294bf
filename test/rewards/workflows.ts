// Test-only workflows: the Reward stage as the interpreter will run it — pure policy, then the reward
// activities — so the reward pieces are tested end to end on a real server before the interpreter lands.
import { proxyActivities } from '@temporalio/workflow';
import type { Reward } from '../../definitions/generated/journey.ts';
import type { createRewardActivities } from '../../activities/rewards/reward-activities.ts';
import { decideReward, type PastReward, type ReferralFacts } from '../../workflows/rewards/policy.ts';

export { customerProfile } from '../../workflows/customer/profile.ts';

const rewards = proxyActivities<ReturnType<typeof createRewardActivities>>({
  startToCloseTimeout: '4 seconds',
  retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 20 },
});

export interface RewardHarnessInput {
  reward: Reward;
  facts: ReferralFacts;
  past: PastReward[];
  journeyId: string;
  journeyVersion: number;
  rewardedActionsBefore: number;
}

export async function rewardHarness(input: RewardHarnessInput) {
  const decision = decideReward(input.reward, input.facts, input.past, {
    journeyId: input.journeyId,
    journeyVersion: input.journeyVersion,
    rewardedActionsBefore: input.rewardedActionsBefore,
    nowMs: Date.now(),
  });
  if (!decision.grant) {
    const refused = [];
    for (const req of decision.requests) refused.push(await rewards.refuseReward(req, decision.refusal.reason));
    return { decision, results: refused };
  }
  const results = [];
  for (const req of decision.requests) results.push(await rewards.issueReward(req));
  return { decision, results };
}

export async function reverseHarness(input: { idempotencyKey: string; recipientId: string; reason: string }) {
  return rewards.reverseReward(input);
}
