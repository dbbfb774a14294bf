// A run that closes (an operator terminated it, it failed) does not make its successor ask again: the API tells the
// new run an earlier one closed, and the email activity then looks for an earlier send by the key on its FIRST
// attempt. Errors the interpreter did not expect no longer close a run at all: it rests as a tombstone, as an ended
// one does. The shipped nps-promoter-referral journey on the time-skipping server, routed by the API's own
// deliverToJourney, sending through the real postmark client to the Postmark-compatible server (test/postmark/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { JOURNEY_WORKFLOW_TYPE, journeyWorkflowId } from '../workflows/contract/index.ts';
import { deliverToJourney, routeTargets } from '../api/routing.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { startFakePostmark, type FakePostmark } from './postmark/server.ts';
import { createTimeSkippingEnvWithSearchAttributes, createHarness, DAY, event, shippedPlan, state } from './interpreter/harness.ts';

const TOKEN = 'failed-run-token';
const traits = (email: string) => ({ email, firstName: 'Fay', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' });

describe('runs that close, and runs that hit an interpreter error (time-skipping server, Postmark-compatible server)', () => {
  let env: TestWorkflowEnvironment;
  let postmark: FakePostmark;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
    postmark = await startFakePostmark({ serverTokens: [TOKEN] });
  }, 60_000);
  afterAll(async () => {
    await postmark?.close();
    await env?.teardown();
  });

  it('after a run that asked is closed, the next event starts a run that does not send the first ask again', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { postmark: { serverToken: TOKEN, apiUrl: postmark.url } });
    const customer = `closed-${Date.now().toString(36)}`;
    const route = async (e: ReturnType<typeof event>) => {
      const [target] = routeTargets(e, [plan]);
      const delivered = await deliverToJourney(env.client, h.taskQueue, target, e);
      h.handles.push(env.client.workflow.getHandle(delivered.workflowId));
      return delivered;
    };
    const sendsTo = () => postmark.accepted.filter((m) => m.body.Metadata?.customer === customer);
    await h.run(async () => {
      const first = await route(event('nps.submitted', customer, { score: 10 }, { traits: traits(`${customer}@example.com`) }));
      expect(first.outcome).toBe('started');
      await env.sleep(5 * DAY);
      expect(sendsTo()).toHaveLength(1);
      const sendKey = sendsTo()[0].body.Metadata.sendKey;

      // The run closes: terminated by an operator, or failed (a bad plan pinned in its input, a tombstone's error).
      await env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, customer)).terminate('closed for the test');

      // The next delight starts a fresh run at cycle 1: the same send key, which Postmark already holds.
      const second = await route(event('nps.submitted', customer, { score: 10 }, { traits: traits(`${customer}@example.com`) }));
      expect(second.outcome).toBe('started');
      await env.sleep(5 * DAY);
      const run = env.client.workflow.getHandle(journeyWorkflowId(plan.journeyId, customer));
      const s = await state(run);
      expect(s.previousRun).toMatchObject({ status: 'TERMINATED' });
      expect(s.asks).toEqual([expect.objectContaining({ sendKey, status: 'already-sent' })]);
      expect(sendsTo()).toHaveLength(1); // never sent twice
      // The search ran on the first attempt of the second run's send.
      const searches = postmark.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/messages/outbound'));
      expect(searches.length).toBeGreaterThanOrEqual(1);
    });
  });

  it('an error the interpreter did not expect ends the journey where it happened and the run rests as a tombstone', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      // A list of the right type holding something no stage expects (an inbox entry that is not an event).
      const handle = await env.client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
        workflowId: journeyWorkflowId(plan.journeyId, 'bug-rest'),
        taskQueue: h.taskQueue,
        args: [{ plan, customerId: 'bug-rest', carried: { cycle: 1, inbox: [null] } }],
      });
      h.handles.push(handle);
      await env.sleep(DAY);
      const s = await state(handle);
      expect(s.stage).toBe('ended');
      expect(s.ended?.reason).toMatch(/^interpreter error in stage listen: TypeError: /);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      // A new delight reaches the tombstone (recorded, never acted on) instead of starting cycle 1 afresh.
      await handle.signal('journeyEvent', event('nps.submitted', 'bug-rest', { score: 10 }, { traits: traits('bug@example.com') }));
      await env.sleep(5 * DAY);
      expect((await state(handle)).asks).toEqual([]);
      expect(await h.outbox()).toEqual([]);
    });
  });
});
