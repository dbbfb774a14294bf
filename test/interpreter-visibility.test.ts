// The run's current details (Temporal UI "Current details"): a header line, a blank line, then a markdown list.
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

  it('puts a blank line before the bullet list so it renders as a list', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const traits = { email: 'vis@example.com', firstName: 'Vi', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' };
      const handle = await sendEvent(env.client, h, plan, 'vis-1', event('nps.submitted', 'vis-1', { score: 10 }, { traits }));
      await env.sleep(HOUR);
      const meta = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      const details = meta.currentDetails ?? '';
      const lines = details.split('\n');
      expect(lines[0]).toMatch(/^\*\*.+\*\* v\d+ · customer `vis-1` · cycle 1$/);
      expect(lines[1]).toBe('');
      expect(lines[2]).toMatch(/^- stage: \*\*invite\*\*/);
      expect(lines.slice(2).every((l) => l.startsWith('- '))).toBe(true);
    });
  });
});
