// Rewards are paid per referral, not per cycle; release.on conversion pays only for a conversion. The shipped
// nps-promoter-referral journey with the real reward, contact and tracking activities against real customer:<id>
// workflows on the time-skipping server.
import { cancelRunUpdate, customerStateQuery, journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { recordHistory } from './interpreter/record-history.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
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

const traits = (email: string) => ({ email, firstName: 'Robin', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' });

describe('rewards per referral (time-skipping server, real customer workflows)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  const ledger = async (id: string) => (await env.client.workflow.getHandle(`customer:${id}`).query(customerStateQuery)).rewards;

  it('five referrals in one cycle: each is attributed, tracked and rewarded once, and the advocate reaches silver and gold', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'multi-1',
        event('nps.submitted', 'multi-1', { score: 10 }, { traits: traits('robin@advocate.example') }),
      );
      await env.sleep(5 * DAY);
      expect((await state(run)).asks).toHaveLength(1);

      // Two referrals at once, three more while the first ones are still held for their deals to close.
      const refer = (n: number) =>
        run.signal(
          journeyEventSignal,
          event('referral.submitted', 'multi-1', { referralId: `m-${n}`, referredEmail: `friend${n}@company${n}.example` }),
        );
      await refer(1);
      await refer(2);
      await env.sleep(HOUR);
      await refer(3);
      await refer(4);
      await refer(5);
      // The same referral submitted again (another event id) is not a sixth reward.
      await refer(5);
      await env.sleep(HOUR);
      const held = await state(run);
      expect(held.history.referrals).toBe(5);
      expect(held.rewards.filter((r) => r.role === 'referrer').map((r) => [r.referralId, r.status])).toEqual(
        [1, 2, 3, 4, 5].map((n) => [`m-${n}`, 'held']),
      );

      for (const n of [1, 2, 3, 4, 5]) {
        await run.signal(
          journeyEventSignal,
          event('deal.closed_won', 'multi-1', { referralId: `m-${n}`, referrerId: 'multi-1', amount: 1000 * n }),
        );
      }
      await env.sleep(HOUR);
      const paid = await state(run);
      expect(paid.history).toMatchObject({ referrals: 5, conversions: 5, referredRevenue: 15000, tier: 'gold' });
      const issued = paid.rewards.filter((r) => r.status === 'issued');
      expect(
        issued
          .filter((r) => r.role === 'referrer')
          .map((r) => r.referralId)
          .sort(),
      ).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);
      expect(issued.filter((r) => r.role === 'referred')).toHaveLength(5);
      expect(issued.filter((r) => r.role === 'tier-bonus').map((r) => r.kind)).toEqual(['gift-card', 'gift-card']);

      // The advocate's ledger: one entry per (advocate, referral, rule), each key attempt-independent, each issued once.
      const mine = await ledger('multi-1');
      expect(mine.map((e) => e.id).sort()).toEqual(
        [
          ...[1, 2, 3, 4, 5].map((n) => `reward:nps-promoter-referral:multi-1:m-${n}:referrer`),
          'reward:nps-promoter-referral:multi-1:tier-gold:tier:gold',
          'reward:nps-promoter-referral:multi-1:tier-silver:tier:silver',
        ].sort(),
      );
      expect(mine.every((e) => e.status === 'issued' && e.history.filter((x) => x.status === 'issued').length === 1)).toBe(true);
      // Each referred friend got their welcome reward in their own ledger.
      expect((await ledger('friend3@company3.example')).map((e) => [e.role, e.status])).toEqual([['referred', 'issued']]);

      // One thank-you per referral.
      const thanks = (await h.outbox())
        .filter((m) => m.sendKey.includes(':thank-you:'))
        .map((m) => m.sendKey.split(':').pop())
        .sort();
      expect(thanks).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);

      // What five referrals cost the run's history (the lifecycle test bounds one run at 250 events).
      console.log(`HISTORY five referrals in one cycle: ${(await run.describe()).historyLength} events so far`);
      await recordHistory('reward-each-action-five-referrals', run);
      // Read while the run lives (it still waits for more referrals until Activate's deadline).
      const { records } = await readTrackingLog(h.dataDir);
      const of = (type: string) => records.filter((r) => r.customerId === 'multi-1' && r.type === type);
      expect(
        of('referral.submitted')
          .map((r) => r.data?.referralId)
          .sort(),
      ).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);
      expect(of('referral.closed_won')).toHaveLength(5);
      expect(of('reward.issued').filter((r) => r.data?.role === 'referrer')).toHaveLength(5);
    });
  }, 120_000);

  it('release on conversion: a referral that never closes and one that closes lost are forfeited, not paid; onNoConversion: release pays at the end of the hold', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const releasing = await shippedPlan('nps-promoter-referral');
    releasing.definition.motions.referral.reward!.release.onNoConversion = 'release';
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'forfeit-1',
        event('nps.submitted', 'forfeit-1', { score: 9 }, { traits: traits('ari@advocate.example') }),
      );
      const paidAnyway = await sendEvent(
        env.client,
        h,
        releasing,
        'release-1',
        event('nps.submitted', 'release-1', { score: 9 }, { traits: traits('kim@advocate.example') }),
      );
      await env.sleep(5 * DAY);
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', 'forfeit-1', { referralId: 'lost', referredEmail: 'lee@lost.example' }),
      );
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', 'forfeit-1', { referralId: 'silent', referredEmail: 'max@silent.example' }),
      );
      await paidAnyway.signal(
        journeyEventSignal,
        event('referral.submitted', 'release-1', { referralId: 'quiet', referredEmail: 'jo@quiet.example' }),
      );
      await env.sleep(HOUR);

      // The deal is lost: that reward is forfeited at once, with the reason, in the run and in the ledger.
      await run.signal(journeyEventSignal, event('deal.closed_lost', 'forfeit-1', { referralId: 'lost', referrerId: 'forfeit-1' }));
      await env.sleep(HOUR);
      const afterLoss = await ledger('forfeit-1');
      const lostEntry = afterLoss.find((e) => e.referralId === 'lost');
      expect(lostEntry?.status).toBe('forfeited');
      expect(lostEntry?.failure).toMatch(/closed lost/);
      expect(afterLoss.find((e) => e.referralId === 'silent')?.status).toBe('held');

      // The hold (P90D) ends with no conversion of the other: forfeited too; nothing was ever paid.
      await env.sleep(91 * DAY);
      const mine = await ledger('forfeit-1');
      // The ledger lists entries by when the customer workflow took them (createdAt); the two referrals' rewards are
      // written by concurrent activities, so which one it took first is not a promise: compare by referral.
      const byReferral = mine.map((e) => [e.referralId, e.status]).sort(([a], [b]) => String(a).localeCompare(String(b)));
      expect(byReferral).toEqual([
        ['lost', 'forfeited'],
        ['silent', 'forfeited'],
      ]);
      expect(mine.find((e) => e.referralId === 'silent')?.failure).toMatch(/no conversion .* within the hold/);
      expect(mine.flatMap((e) => e.history.map((x) => x.status))).not.toContain('issued');
      expect(await ledger('lee@lost.example')).toEqual([expect.objectContaining({ role: 'referred', status: 'forfeited' })]);
      expect((await h.outbox()).filter((m) => m.sendKey.includes('forfeit-1') && m.sendKey.includes(':thank-you:'))).toEqual([]);

      // The plan that says release pays at the end of the hold, conversion or not.
      expect((await ledger('release-1')).map((e) => [e.referralId, e.status])).toEqual([['quiet', 'issued']]);
      await run.executeUpdate(cancelRunUpdate, { args: [{ actor: 'test', reason: 'end' }] });
      await env.sleep(1000);
      await recordHistory('reward-forfeit-without-conversion', run);
    });
  }, 120_000);

  it('rewards paid at once: a second referral later in the Activate window is rewarded too; one after the window is not', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.reward!.release = { on: 'action' };
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'soon-1',
        event('nps.submitted', 'soon-1', { score: 10 }, { traits: traits('lou@advocate.example') }),
      );
      await env.sleep(5 * DAY);
      const askedAt = Date.parse((await state(run)).asks[0].at);
      await run.signal(journeyEventSignal, event('referral.submitted', 'soon-1', { referralId: 's-1', referredEmail: 'ann@one.example' }));
      await env.sleep(3 * DAY);
      await run.signal(journeyEventSignal, event('referral.submitted', 'soon-1', { referralId: 's-2', referredEmail: 'bo@two.example' }));
      await env.sleep(HOUR);
      const referrer = async () => (await ledger('soon-1')).map((e) => [e.referralId, e.status]);
      expect(await referrer()).toEqual([
        ['s-1', 'issued'],
        ['s-2', 'issued'],
      ]);
      // Activate's timeout (P21D from the first ask) closes the window: a referral after it is not rewarded in this cycle.
      await env.sleep(askedAt + 21 * DAY + HOUR - (await env.currentTimeMs()));
      await env.client.workflow
        .getHandle(run.workflowId)
        .signal(journeyEventSignal, event('referral.submitted', 'soon-1', { referralId: 's-3', referredEmail: 'cy@three.example' }));
      await env.sleep(HOUR);
      expect(await referrer()).toEqual([
        ['s-1', 'issued'],
        ['s-2', 'issued'],
      ]);
    });
  }, 120_000);

  it('release on conversion with no hold waits for the deal as long as the attribution window, then pays on closed-won', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.reward!.release = { on: 'conversion' };
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        'nohold-1',
        event('nps.submitted', 'nohold-1', { score: 10 }, { traits: traits('mo@advocate.example') }),
      );
      await env.sleep(5 * DAY);
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', 'nohold-1', { referralId: 'n-1', referredEmail: 'al@prospect.example' }),
      );
      await env.sleep(30 * DAY);
      expect((await ledger('nohold-1')).map((e) => [e.referralId, e.status])).toEqual([['n-1', 'held']]);
      await run.signal(journeyEventSignal, event('deal.closed_won', 'al', { referralId: 'n-1', referrerId: 'nohold-1', amount: 4000 }));
      await env.sleep(HOUR);
      expect((await ledger('nohold-1')).map((e) => [e.referralId, e.status])).toEqual([['n-1', 'issued']]);
    });
  }, 120_000);
});
