// The time-skipping test server: a 30-day wait completes in seconds of real time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createJourneyWorker } from '../worker/worker.ts';
import { listOutbox } from '../activities/outbox.ts';
import { journeyEventSignal } from '../workflows/messages.ts';
import { createTimeSkippingEnv, workflowBundle } from './support/temporal.ts';

describe('time-skipping', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => { env = await createTimeSkippingEnv(); });
  afterAll(async () => { await env?.teardown(); });

  it('a 30-day first-ask delay completes in seconds and sends once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'journey-ts-'));
    const worker = await createJourneyWorker({
      connection: env.nativeConnection, namespace: 'default', taskQueue: 'ts',
      activityDeps: { dataDir }, workflowBundle: workflowBundle(),
    });
    const started = Date.now();
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart('scaffoldJourney', {
        workflowId: 'journey:slow:c1', taskQueue: 'ts',
        args: [{ journeyId: 'slow', customerId: 'c1', firstAskDelay: '30 days', subject: 'Hi' }],
        signal: journeyEventSignal,
        signalArgs: [{ id: 'e1', type: 'nps.submitted', customerId: 'c1', occurredAt: '2026-01-01T00:00:00Z', data: {} }],
      });
      const before = await env.currentTimeMs();
      const r = await handle.result();
      return { r, skippedMs: (await env.currentTimeMs()) - before };
    });
    expect(result.skippedMs).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await listOutbox(dataDir)).toHaveLength(1);
  });
});
