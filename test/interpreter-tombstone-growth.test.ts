// An ended run rests as a tombstone for the customer's lifetime and never acts again: the events it keeps hearing
// (every NPS answer of an active advocate, for years) must not pile up in its carried inbox, where 50 events of up
// to 256 KB each would carry megabytes over every continue-as-new, past Temporal's 2 MB payload limit. They are still
// deduplicated and recorded as they come. Time-skipping server, NPS journey.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { handOverUpdate } from '../workflows/contract/index.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const traits = { email: 'tomb@example.com', firstName: 'Tom', timezone: 'Europe/London', healthScore: 90 };

describe('a tombstone carries nothing it will never read (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('an ended run hears 40 large NPS answers: each deduplicated and recorded, none kept in the inbox or carried at the handover', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'tomb-1',
        event('email.bounced', 'tomb-1', { bounceType: 'HardBounce' }, { traits }),
      );
      await env.sleep(DAY);
      expect((await state(run)).stage).toBe('ended'); // a hard bounce exits the journey: the run rests as a tombstone
      const comment = 'x'.repeat(40_000);
      for (let i = 0; i < 40; i++) {
        await sendEvent(env.client, h, plan, 'tomb-1', event('nps.submitted', 'tomb-1', { score: 10, comment }));
        await env.sleep(DAY);
      }
      const s = await state(run);
      expect(s.stage).toBe('ended');
      expect(s.seenEventIds).toBe(41);
      expect(s.inbox).toBe(0);
      // The next history's input is what the tombstone carries: without the fix, 40 × 40 KB of events nobody reads.
      await run.executeUpdate(handOverUpdate, { args: [{ actor: 'test', reason: 'measure what is carried' }] });
      await env.sleep(DAY);
      const next = await env.client.workflow.getHandle(run.workflowId).fetchHistory();
      const input = next.events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(input?.continuedExecutionRunId).toBeTruthy();
      const bytes = (input?.input?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0), 0);
      expect(bytes).toBeLessThan(100_000);
      expect((await state(run)).stage).toBe('ended');
    });
  });
});
