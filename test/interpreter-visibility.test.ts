// The run's current details (Temporal UI "Current details"): what matters now first (stage, next action and when,
// why held), the counts on one line last, all in one paragraph that fits the UI's panel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { createTimeSkippingEnvWithSearchAttributes, createHarness, event, HOUR, sendEvent, shippedPlan } from './interpreter/harness.ts';
/** What Temporal's built-in __temporal_workflow_metadata query answers (the part these checks read). */
type WorkflowMetadata = { currentDetails?: string | null };

describe('current details markdown (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it("leads with the stage and the next action in the customer's zone and UTC, and ends with the counts on one line", async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const traits = { email: 'vis@example.com', firstName: 'Vi', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' };
      const handle = await sendEvent(env.client, h, plan, 'vis-1', event('nps.submitted', 'vis-1', { score: 10 }, { traits }));
      await env.sleep(HOUR);
      const meta = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      const details = meta.currentDetails ?? '';
      const lines = details.split('\n');
      // The first ask waits two days for 09:00-17:00 on a weekday in Berlin: said in Berlin time and in UTC.
      expect(lines[0]).toMatch(
        /^\*\*invite\*\* · referral · next: invite #1, .* at \d{4}-\d{2}-\d{2} (mon|tue|wed|thu|fri) (09|1\d):\d{2} Europe\/Berlin \((0[7-9]|1\d):\d{2} UTC\) {2}$/,
      );
      expect(details).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no machine timestamps
      // One paragraph held together by hard line breaks: no list margins, so it fits the UI's panel.
      expect(lines.slice(0, -1).every((l) => l.endsWith('  '))).toBe(true);
      expect(lines[1]).toMatch(/^qualified: referral \(.+\) · cycle 1 {2}$/);
      expect(lines.at(-1)).toBe('asks this cycle 0 · referrals 0 · conversions 0 · rewards 0');
      expect(lines).toHaveLength(3);
    });
  });
});
