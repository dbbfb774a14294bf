// Data no retry can fix fails the run at once, as Failed with a non-retryable ApplicationFailure that says why,
// instead of a workflow task retried forever (a run that hangs): each test gives it 30 s. Time-skipping server.
// (An error the interpreter did not expect ends the journey and the run rests: test/interpreter-failed-run.test.ts.)
import { JOURNEY_WORKFLOW_TYPE, journeyWorkflowId, type JourneyRunInput } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  event,
  sendEvent,
  shippedPlan,
  type Harness,
} from './interpreter/harness.ts';

const traits = { email: 'f@example.com', firstName: 'Fay', timezone: 'America/New_York', healthScore: 90 };

describe('runs that cannot go on fail at once (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  }

  function start(h: Harness, input: JourneyRunInput) {
    const handle = env.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
      workflowId: journeyWorkflowId(input.plan.journeyId, input.customerId),
      taskQueue: h.taskQueue,
      args: [input],
    });
    return handle.then((x) => {
      h.handles.push(x);
      return x;
    });
  }

  it('a send window in a zone Intl does not know fails the run at once, naming the zone', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.sendWindow.defaultTimezone = 'Mars/Olympus_Mons';
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const handle = await sendEvent(env.client, h, plan, 'zone-1', event('nps.submitted', 'zone-1', { score: 10 }, { traits }));
      const cause = await failureOf(handle.result());
      expect(cause.message).toContain('motions.referral.invite.sendWindow.defaultTimezone "Mars/Olympus_Mons" is not an IANA time zone');
      expect(cause.type).toBe('JourneyBadPlan');
      expect(cause.nonRetryable).toBe(true);
    });
  }, 30_000);

  it('a send window that never opens fails the run at once, naming the window', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions['case-study'].invite.sendWindow.start = '17:00';
    plan.definition.motions['case-study'].invite.sendWindow.end = '09:00';
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const handle = await sendEvent(env.client, h, plan, 'win-1', event('nps.submitted', 'win-1', { score: 10 }, { traits }));
      const cause = await failureOf(handle.result());
      expect(cause.message).toContain(
        'motions.case-study.invite.sendWindow "17:00"–"09:00" is not an opening HH:MM before a closing HH:MM',
      );
      expect(cause.nonRetryable).toBe(true);
    });
  }, 30_000);

  it('carried state of the wrong shape fails the run at once, naming the field', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const handle = await start(h, { plan, customerId: 'carry-1', carried: { cycle: 0, seenEventIds: 'e-1', history: [] } });
      const cause = await failureOf(handle.result());
      expect(cause.message).toMatch(
        /bad journey input: .*input\.carried\.seenEventIds is not a list; input\.carried\.history is not an object; input\.carried\.cycle 0 is not a cycle number/,
      );
      expect(cause.type).toBe('JourneyBadPlan');
    });
  }, 30_000);
});
