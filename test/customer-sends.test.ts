// "Record every send": the run that sent an email keeps what the provider took, from the email activity's answer, so
// invite and thank-you alike show in the run's state (carried over continue-as-new), once each, with the message id;
// customer:<id> gets no recordSend signal for them (issue 16: each was a workflow task there, 4 history events per
// email). Time-skipping server, real interpreter, real email activity writing to the outbox, real customer workflow.
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { createHarness, createTimeSkippingEnvWithSearchAttributes, shippedPlan } from './interpreter/harness.ts';
import { driveCycle, SCENARIOS } from './interpreter/scenarios.ts';

describe('every send recorded by the run that sent it (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it("a referral cycle's invite and thank-you are both in the run's sends, with message id, stream and template; none signalled to customer:<id>", async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      await driveCycle(env, env.client, h, plan, SCENARIOS[0], 'sends-1', 1);
      const outbox = await h.outbox();
      expect(outbox).toHaveLength(2);
      // The cycle ended in continue-as-new: the run now open carried the sends over.
      const run = await env.client.workflow.getHandle(journeyWorkflowId('nps-promoter-referral', 'sends-1')).query(journeyStateQuery);
      const byKey = Object.fromEntries((run.sends ?? []).map((s) => [s.sendKey, s]));
      const invite = 'journey:nps-promoter-referral:sends-1:1:invite:referral:1';
      const thanks = 'journey:nps-promoter-referral:sends-1:1:thank-you:ref-sends-1-1';
      expect(run.sends?.map((s) => s.sendKey)).toEqual([invite, thanks]);
      expect(byKey[invite]).toMatchObject({
        journeyId: 'nps-promoter-referral',
        step: 'invite:referral:1',
        messageStream: 'broadcast',
        transport: 'outbox',
        template: 'templates/referral-invite.mustache',
        messageId: outbox.find((m) => m.sendKey === invite)!.id,
      });
      expect(byKey[thanks]).toMatchObject({
        step: 'thank-you:ref-sends-1-1',
        messageStream: 'outbound',
        template: 'templates/referral-thank-you.mustache',
        messageId: outbox.find((m) => m.sendKey === thanks)!.id,
      });
      expect(Date.parse(byKey[invite].sentAt)).not.toBeNaN();
      const customerId = customerWorkflowId('sends-1');
      const customer = await env.client.workflow.getHandle(customerId).query(customerStateQuery);
      expect(customer.sends).toEqual([]);
      // The thank-you takes no contact slot: the frequency cap still counts only the ask.
      expect(customer.contactHistory.map((a) => a.sendKey)).toEqual([invite]);
      const signals = (await env.client.workflow.getHandle(customerId).fetchHistory()).events!.filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'recordSend',
      );
      expect(signals).toHaveLength(0);
    });
  }, 120_000);
});
