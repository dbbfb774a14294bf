// State that grows is bounded: ten simulated years of an active advocate (test/growth/advocate-life.ts: every quarter
// an NPS 10, two referrals closed won, an escalation opened and resolved, a passive NPS) on the time-skipping test
// server with the real activities. Read while the runs live, each year: the journey run's and customer:<id>'s
// history stays under its handover limit, both chains really handed over, and what each carried over its last
// continue-as-new stays small and far below Temporal's 2 MB payload limit. bench/growth.ts prints the same figures.
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import { workflowBundle } from './support/temporal.ts';
import { simulateAdvocateLife } from './growth/advocate-life.ts';

const HANDOVER_AFTER = 500;
/** What a workflow task can add past the limit before the run hands over at its next wait (a burst of signals). */
const HISTORY_SLACK = 150;
const CARRIED_BOUND = 128 * 1024;

describe('an active advocate over ten simulated years (time-skipping server)', () => {
  it('keeps every history under its handover limit and the carried state flat, far below 2 MB', { timeout: 600_000 }, async () => {
    const env = await createTimeSkippingEnv(inject('testServerPath'), { searchAttributes: true });
    try {
      const years = await simulateAdvocateLife(env, { years: 10, handoverAfter: HANDOVER_AFTER, workflowBundle: workflowBundle() });
      console.log(JSON.stringify(years));
      expect(years).toHaveLength(10);
      for (const y of years) {
        expect(y.journeyHistory).toBeLessThan(HANDOVER_AFTER + HISTORY_SLACK);
        expect(y.customerHistory).toBeLessThan(HANDOVER_AFTER + HISTORY_SLACK);
        expect(y.journeyCarriedBytes).toBeLessThan(CARRIED_BOUND);
        expect(y.customerCarriedBytes).toBeLessThan(CARRIED_BOUND);
      }
      const last = years.at(-1)!;
      // The figures come from real handovers, several of them, not from the first run's input.
      expect(last.journeyRuns).toBeGreaterThanOrEqual(5);
      expect(last.customerRuns).toBeGreaterThanOrEqual(3);
    } finally {
      await env.teardown();
    }
  });
});
