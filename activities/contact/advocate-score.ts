// Activity: read the customer's current advocate score and tier from customer:<id> (its customerState query), so
// Qualify's rules can use history.advocateScore / history.advocateTier. A query never changes the customer workflow.
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract/index.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CustomerWorkflowDeps } from './customer-update.ts';

export interface AdvocateScoreRequest {
  customerId: string;
}

/** found: false when the customer has no customer workflow yet (no event about them was ever scored). */
export type AdvocateScoreReading = { found: true; score: number; tier: string } | { found: false };

export function createAdvocateScoreActivities(deps: Pick<CustomerWorkflowDeps, 'client'>) {
  return {
    async readAdvocateScore(req: AdvocateScoreRequest): Promise<AdvocateScoreReading> {
      try {
        const state = (await deps.client.workflow.getHandle(customerWorkflowId(req.customerId)).query(customerStateQuery)) as
          { advocate?: { score?: unknown; tier?: unknown } } | undefined;
        const { score, tier } = state?.advocate ?? {};
        if (typeof score !== 'number' || typeof tier !== 'string') return { found: false };
        return { found: true, score, tier };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { found: false };
        throw err; // unreachable server, no worker answering: Temporal retries
      }
    },
  };
}
