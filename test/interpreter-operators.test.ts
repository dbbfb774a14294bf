// Operators steer a run with Updates (validators reject what cannot apply) and read it with the journeyState query;
// a bad plan fails the run at once with a clear ApplicationFailure. Time-skipping server.
import { cancelRunUpdate, optOutUpdate, pauseUpdate, resumeUpdate, skipWaitUpdate } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  HOUR,
  nextUtc,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const traits = { email: 'op@example.com', firstName: 'Op', timezone: 'America/New_York', healthScore: 90 };

describe('operators (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function toMondayMorning() {
    await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
  }

  it('pause holds the ask, a second pause is rejected, resume lets it go; skipWait sends the reminder now; optOut stops all; cancelRun ends the run', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'op-1', event('nps.submitted', 'op-1', { score: 10 }, { traits }));
      const paused = await handle.executeUpdate(pauseUpdate, { args: [{ actor: 'ana', reason: 'checking account' }] });
      expect(paused.paused?.actor).toBe('ana');
      await expect(handle.executeUpdate(pauseUpdate, { args: [{}] })).rejects.toThrow(WorkflowUpdateFailedError);
      await env.sleep(3 * DAY); // the first ask was due Wednesday 10:00 New York; it is Thursday 10:00 now
      expect(await h.outbox()).toHaveLength(0);
      expect((await state(handle)).suppressed?.reason).toContain('paused by operator: checking account');
      await handle.executeUpdate(resumeUpdate, { args: [{ actor: 'ana' }] });
      await expect(handle.executeUpdate(resumeUpdate, { args: [{}] })).rejects.toThrow(WorkflowUpdateFailedError);
      await env.sleep(HOUR);
      expect(await h.outbox()).toHaveLength(1);
      const waiting = await state(handle);
      expect(waiting.nextAction?.what).toContain('invite #2');
      await handle.executeUpdate(skipWaitUpdate, { args: [{ actor: 'ana', reason: 'customer asked for the link again' }] });
      await env.sleep(HOUR);
      expect(await h.outbox()).toHaveLength(2);
      await handle.executeUpdate(optOutUpdate, { args: [{ actor: 'ana', reason: 'asked us to stop' }] });
      await expect(handle.executeUpdate(optOutUpdate, { args: [{}] })).rejects.toThrow(WorkflowUpdateFailedError);
      await env.sleep(30 * DAY);
      expect(await h.outbox()).toHaveLength(2);
      expect((await state(handle)).stage).toBe('opted-out');
      await handle.executeUpdate(cancelRunUpdate, { args: [{ actor: 'ana', reason: 'account closed' }] });
      await env.sleep(HOUR);
      // The run rests as a tombstone (it does not complete, so a later event cannot start the journey afresh).
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const final = await state(handle);
      expect(final.stage).toBe('ended');
      expect(final.ended?.reason).toContain('account closed');
      expect(final.notes.map((n: { text: string }) => n.text).join('\n')).toMatch(
        /operator pause by ana[\s\S]*operator resume[\s\S]*operator skipWait[\s\S]*operator optOut/,
      );
    });
  });

  it('a bad plan fails the run at once with a non-retryable ApplicationFailure that says why', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    (plan as { planFormat: number }).planFormat = 99;
    delete (plan.definition as { motions?: unknown }).motions;
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const handle = await sendEvent(env.client, h, plan, 'bad-1', event('nps.submitted', 'bad-1', { score: 10 }));
      const err = await handle.result().catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(err.cause.message).toMatch(/bad journey input: input\.plan\.planFormat is 99.*motions is missing/);
      expect(err.cause.nonRetryable).toBe(true);
    });
  });
});
