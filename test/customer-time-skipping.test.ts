// The customer workflow on the time-skipping test server (where journey tests run): with searchAttributes
// off it needs no custom attributes; a held customer is asked again after the cool-down, in skipped time.
// The test server's clock starts at the wall clock, and the shipped policy's quiet hours (21:00-08:00 UTC for a
// customer without a zone) would refuse the slot at night: the test first skips to midday UTC, so it passes at
// any hour it is run. (A policy override of `quietHours: undefined` cannot turn them off: undefined keys are
// dropped when the input is serialized, and the shipped policy fills them in again.)
import { customerEventSignal, customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createJourneyWorker } from '../worker/worker.ts';
import { createContactActivities } from '../activities/contact/reserve-contact-slot.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';

describe('customer workflow on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('a detractor NPS holds every journey 30 days; after that the slot is granted', async () => {
    const worker = await createJourneyWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: 'cts',
      activityDeps: { dataDir: '/nonexistent' },
      workflowBundle: workflowBundle(),
    });
    const contact = createContactActivities({ client: env.client, taskQueue: 'cts', profileDefaults: { searchAttributes: false } });
    await worker.runUntil(async () => {
      const at = () => env.currentTimeMs().then((ms) => new Date(ms).toISOString());
      const now = await env.currentTimeMs();
      await env.sleep(nextMiddayUtc(now) - now);
      await contact.reserveContactSlot({ customerId: 'd1', journeyId: 'j', sendKey: 'warm', at: '2000-01-01T00:00:00Z' });
      await env.client.workflow
        .getHandle(customerWorkflowId('d1'))
        .signal(customerEventSignal, { id: 'n1', type: 'nps.submitted', customerId: 'd1', occurredAt: await at(), data: { score: 3 } });
      const held = await contact.reserveContactSlot({ customerId: 'd1', journeyId: 'j', sendKey: 'k1', at: await at() });
      expect(held).toMatchObject({ granted: false, reason: expect.stringContaining('NPS detractor') });
      await env.sleep('31 days');
      const later = await contact.reserveContactSlot({ customerId: 'd1', journeyId: 'j', sendKey: 'k2', at: await at() });
      expect(later).toMatchObject({ granted: true });
      await env.client.workflow.getHandle(customerWorkflowId('d1')).terminate('test over');
    });
  });
});

function nextMiddayUtc(nowMs: number): number {
  const d = new Date(nowMs);
  const midday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12);
  return midday > nowMs ? midday : midday + 86_400_000;
}
