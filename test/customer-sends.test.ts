// "Record every send in the customer's contact history": the email activity tells customer:<id> after each accepted
// send, so invite and thank-you alike show in the customer's state, once each, with Postmark's message id
// (time-skipping server, real interpreter, real email activity writing to the outbox, real customer workflow).
import { customerStateQuery, customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { createHarness, createTimeSkippingEnvWithSearchAttributes, shippedPlan } from './interpreter/harness.ts';
import { driveCycle, SCENARIOS } from './interpreter/scenarios.ts';

describe("every send in the customer's contact history (time-skipping server)", () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it("a referral cycle's invite and thank-you are both recorded in customer:<id> sends, with message id, stream and template", async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      await driveCycle(env, env.client, h, plan, SCENARIOS[0], 'sends-1', 1);
      const outbox = await h.outbox();
      expect(outbox).toHaveLength(2);
      const customer = await env.client.workflow.getHandle(customerWorkflowId('sends-1')).query(customerStateQuery);
      const byKey = Object.fromEntries(customer.sends.map((s) => [s.sendKey, s]));
      const invite = 'journey:nps-promoter-referral:sends-1:1:invite:referral:1';
      const thanks = 'journey:nps-promoter-referral:sends-1:1:thank-you:ref-sends-1-1';
      expect(Object.keys(byKey).sort()).toEqual([invite, thanks]);
      expect(byKey[invite]).toMatchObject({
        journeyId: 'nps-promoter-referral',
        step: 'invite:referral:1',
        messageStream: 'broadcast',
        transport: 'outbox',
        template: 'templates/referral-invite.mustache',
        messageId: outbox.find((m) => m.sendKey === invite)!.id,
      });
      expect(byKey[thanks]).toMatchObject({
        messageStream: 'outbound',
        template: 'templates/referral-thank-you.mustache',
        messageId: outbox.find((m) => m.sendKey === thanks)!.id,
      });
      expect(Date.parse(byKey[invite].sentAt)).not.toBeNaN();
      // The thank-you takes no contact slot: the frequency cap still counts only the ask.
      expect(customer.contactHistory.map((a) => a.sendKey)).toEqual([invite]);
    });
  }, 120_000);
});
