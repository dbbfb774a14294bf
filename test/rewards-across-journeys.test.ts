// Caps and the duplicate-referral check hold across every journey of an advocate: the advocate's ledger in
// customer:<id> checks and writes each new reward in one Update (claimReward). Two journeys on the time-skipping
// server with the real reward activities and customer workflows.
import { customerStateQuery, journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  DAY,
  event,
  HOUR,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const traits = { email: 'sky@advocate.example', firstName: 'Sky', timezone: 'Europe/Paris', healthScore: 95, segment: 'mid-market' };

describe('reward checks across journeys (time-skipping server, real customer workflows)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it("a person referred in one journey is a duplicate in another, and the other journey's cap counts the first journey's reward", async () => {
    const first = await shippedPlan('nps-promoter-referral');
    // A second referral journey of the same company, with a cap of one reward a year per advocate.
    const second = await shippedPlan('nps-promoter-referral');
    second.journeyId = 'partner-referral';
    second.definition.id = 'partner-referral';
    second.definition.motions.referral.reward!.caps = { maxRewards: 1, period: 'P365D' };
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const ledger = async () => (await env.client.workflow.getHandle('customer:sky-1').query(customerStateQuery)).rewards;
      const a = await sendEvent(env.client, h, first, 'sky-1', event('nps.submitted', 'sky-1', { score: 10 }, { traits }));
      await env.sleep(5 * DAY);
      expect((await state(a)).asks).toHaveLength(1);
      await a.signal(
        journeyEventSignal,
        event('referral.submitted', 'sky-1', { referralId: 'a-1', referredEmail: 'Jamie@Prospect.example' }),
      );
      const b = await sendEvent(env.client, h, second, 'sky-1', event('nps.submitted', 'sky-1', { score: 10 }, { traits }));
      // The global contact policy allows one ask a week across journeys: B asks a week or so after A (its send window).
      await env.sleep(2 * DAY);
      for (let day = 0; day < 12 && (await state(b)).asks.length === 0; day++) await env.sleep(DAY);
      expect((await state(b)).asks).toHaveLength(1);
      // The same person again, through the other journey, and someone new there: the first is a duplicate, the
      // second is over that journey's cap (journey A's reward counts), though journey B has paid nothing yet.
      await b.signal(
        journeyEventSignal,
        event('referral.submitted', 'sky-1', { referralId: 'b-1', referredEmail: 'jamie@prospect.example' }),
      );
      await b.signal(journeyEventSignal, event('referral.submitted', 'sky-1', { referralId: 'b-2', referredEmail: 'robin@other.example' }));
      await env.sleep(HOUR);

      const entries = await ledger();
      const of = (referralId: string) => entries.find((e) => e.referralId === referralId && e.role === 'referrer');
      expect(of('a-1')).toMatchObject({ journeyId: 'nps-promoter-referral', status: 'held', referred: 'email:jamie@prospect.example' });
      expect(of('b-1')).toMatchObject({
        journeyId: 'partner-referral',
        status: 'refused',
        failure: expect.stringMatching(/duplicate referral: email:jamie@prospect.example/),
      });
      expect(of('b-2')).toMatchObject({
        journeyId: 'partner-referral',
        status: 'refused',
        failure: expect.stringMatching(/cap reached: 1 of 1/),
      });

      // Journey B's run says the same, and holds nothing.
      const rewardsB = (await state(env.client.workflow.getHandle(b.workflowId))).rewards;
      expect(
        rewardsB
          .filter((r) => r.role === 'referrer')
          .map((r) => [r.referralId, r.status])
          .sort(),
      ).toEqual([
        ['b-1', 'refused'],
        ['b-2', 'refused'],
      ]);
      // The friends' welcome rewards of B's refused referrals are refused too; A's is held.
      expect(
        (await env.client.workflow.getHandle('customer:jamie@prospect.example').query(customerStateQuery)).rewards
          .map((e) => [e.journeyId, e.status])
          .sort(),
      ).toEqual([
        ['nps-promoter-referral', 'held'],
        ['partner-referral', 'refused'],
      ]);
    });
  }, 120_000);
});
