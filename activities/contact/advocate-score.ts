// Activity: read the customer's current advocate score and tier from customer:<id> (its customerState query), so
// Qualify's rules can use history.advocateScore / history.advocateTier. A query never changes the customer workflow.
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract/index.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { CustomerWorkflowDeps } from './customer-update.ts';
import { untilActivityCancelled } from '../cancellation.ts';

export interface AdvocateScoreRequest {
  customerId: string;
}

/** found: false when the customer has no customer workflow yet (no event about them was ever scored). */
export type AdvocateScoreReading = { found: true; score: number; tier: string } | { found: false };

export function createAdvocateScoreActivities(deps: Pick<CustomerWorkflowDeps, 'client'>) {
  return {
    async readAdvocateScore(req: AdvocateScoreRequest): Promise<AdvocateScoreReading> {
      try {
        const customer = deps.client.workflow.getHandle(customerWorkflowId(req.customerId));
        const { advocate } = await untilActivityCancelled(deps.client, () => customer.query(customerStateQuery));
        // Checked at run time as well: the answer comes from whichever worker build runs the customer workflow.
        if (typeof advocate?.score !== 'number' || typeof advocate.tier !== 'string') return { found: false };
        return { found: true, score: advocate.score, tier: advocate.tier };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { found: false };
        throw err; // unreachable server, no worker answering: Temporal retries
      }
    },
  };
}
