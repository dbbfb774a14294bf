// Attribution: a run counts only the referrals it took, within the attribution window, and recognizes its own
// opaque referral code (never a code anyone can build from a customer id). Time-skipping server, real activities.
import {
  cancelRunUpdate,
  JOURNEY_WORKFLOW_TYPE,
  journeyEventSignal,
  journeyWorkflowId,
  type JourneyRunInput,
} from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { recordHistory } from './interpreter/record-history.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { legacyReferralCodeFor, mintReferralCode, resolveReferralCode } from '../api/referral-code.ts';
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

const traits = (email: string) => ({ email, firstName: 'Noa', timezone: 'America/New_York', healthScore: 88, segment: 'smb' });

describe('referral attribution (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a closed-won for a referral this run never took is recorded as unattributed, not counted; one after the attribution window is not counted either', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'attr-1',
        event('nps.submitted', 'attr-1', { score: 10 }, { traits: traits('noa@advocate.example') }),
      );
      await env.sleep(5 * DAY);
      // Another journey's referral (or nobody's), naming this advocate: not this run's to count.
      await run.signal(
        journeyEventSignal,
        event('deal.closed_won', 'someone', { referralId: 'foreign', referrerId: 'attr-1', amount: 9000 }),
      );
      await env.sleep(HOUR);
      let s = await state(run);
      expect(s.history).toMatchObject({ conversions: 0, referredRevenue: 0 });
      const firstRun = env.client.workflow.getHandle(run.workflowId, run.signaledRunId);
      expect(s.referrals).toEqual([]);
      expect(s.notes.map((n) => n.text).join('\n')).toMatch(/foreign: not a referral submitted in this run/);

      // Its own referral, closed after the window (P180D): not counted.
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', 'attr-1', { referralId: 'own', referredEmail: 'dee@prospect.example' }),
      );
      await env.sleep(181 * DAY);
      const current = env.client.workflow.getHandle(run.workflowId);
      await current.signal(journeyEventSignal, event('deal.closed_won', 'dee', { referralId: 'own', referrerId: 'attr-1', amount: 5000 }));
      await env.sleep(HOUR);
      s = await state(current);
      expect(s.history).toMatchObject({ referrals: 1, conversions: 0, referredRevenue: 0 });

      await current.executeUpdate(cancelRunUpdate, { args: [{ actor: 'test', reason: 'flush tracking' }] });
      await env.sleep(1000);
      const { records } = await readTrackingLog(h.dataDir);
      expect(records.filter((r) => r.customerId === 'attr-1' && r.type === 'referral.unattributed').map((r) => r.data?.referralId)).toEqual(
        ['foreign'],
      );
      expect(records.filter((r) => r.customerId === 'attr-1' && r.type === 'referral.closed_won')).toEqual([]);
      // RECORD_HISTORIES=1 keeps the first run (unattributed conversion, forfeited reward) for the replay test.
      await recordHistory('unattributed-conversion', firstRun);
    });
  }, 120_000);

  it('the ask carries an opaque referral code the API resolves to the advocate; a code built from the customer id is not theirs', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const customerId = 'noa@advocate.example';
    const secret = 'test-referral-secret';
    const code = mintReferralCode(secret, plan.journeyId, customerId);
    await h.run(async () => {
      // Started as the API starts it: the code minted with the API's secret in the input.
      const input: JourneyRunInput = { plan, customerId, referralCode: code };
      const run = await env.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
        workflowId: journeyWorkflowId(plan.journeyId, customerId),
        taskQueue: h.taskQueue,
        args: [input],
        signal: journeyEventSignal,
        signalArgs: [event('nps.submitted', customerId, { score: 9 }, { traits: traits(customerId) })],
      });
      h.handles.push(env.client.workflow.getHandle(run.workflowId));
      await env.sleep(5 * DAY);

      const [ask] = await h.outbox();
      const sent = JSON.stringify(ask.message);
      expect(sent).toContain(`refer?code=${code}`);
      expect(code).not.toContain(customerId);
      expect(code).not.toContain(Buffer.from(customerId).toString('base64url').slice(0, 12));
      expect(resolveReferralCode(secret, code, [plan.journeyId])).toEqual({ customerId, journeyId: plan.journeyId, legacy: false });
      expect(resolveReferralCode('another-secret', code, [plan.journeyId])).toBeUndefined();

      await run.signal(
        journeyEventSignal,
        event('referral.submitted', customerId, { referralId: 'c-1', referredEmail: 'ola@prospect.example' }),
      );
      await env.sleep(HOUR);
      // A forged code (the old reversible format of this customer id) is not this run's: not attributed.
      await run.signal(
        journeyEventSignal,
        event('deal.closed_won', 'ola', { referralId: 'c-1', referralCode: legacyReferralCodeFor(customerId), amount: 7000 }),
      );
      await env.sleep(HOUR);
      expect((await state(run)).history).toMatchObject({ conversions: 0, referredRevenue: 0 });
      // The advocate's own code is.
      await run.signal(journeyEventSignal, event('deal.closed_won', 'ola', { referralId: 'c-1', referralCode: code, amount: 7000 }));
      await env.sleep(HOUR);
      expect((await state(run)).history).toMatchObject({ conversions: 1, referredRevenue: 7000 });
    });
  }, 120_000);

  it('a run whose carried state has no code (runs from before 1.0 are not carried over) takes an opaque one, never the old reversible code', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const customerId = 'old-timer';
    await h.run(async () => {
      const input: JourneyRunInput = { plan, customerId, carried: { cycle: 2 } };
      const run = await env.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
        workflowId: journeyWorkflowId(plan.journeyId, customerId),
        taskQueue: h.taskQueue,
        args: [input],
        signal: journeyEventSignal,
        signalArgs: [event('nps.submitted', customerId, { score: 10 }, { traits: traits('old@advocate.example') })],
      });
      h.handles.push(env.client.workflow.getHandle(run.workflowId));
      await env.sleep(5 * DAY);
      const code = (await state(run)).referralCode as string;
      expect(code).toMatch(/^rc_[0-9a-f]{32}$/);
      const sent = JSON.stringify((await h.outbox())[0].message);
      expect(sent).toContain(`refer?code=${code}`);
      expect(sent).not.toContain(legacyReferralCodeFor(customerId));
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', customerId, { referralId: 'o-1', referredEmail: 'kai@prospect.example' }),
      );
      await env.sleep(HOUR);
      await run.signal(
        journeyEventSignal,
        event('deal.closed_won', 'kai', { referralId: 'o-1', referralCode: legacyReferralCodeFor(customerId), amount: 3000 }),
      );
      await env.sleep(HOUR);
      expect((await state(run)).history).toMatchObject({ conversions: 0, referredRevenue: 0 });
      await run.signal(journeyEventSignal, event('deal.closed_won', 'kai', { referralId: 'o-1', referralCode: code, amount: 3000 }));
      await env.sleep(HOUR);
      expect((await state(run)).history).toMatchObject({ conversions: 1, referredRevenue: 3000 });
    });
  }, 120_000);
});
