// Caps hold for everything an action pays the advocate: a tier bonus counts with the referrer reward it comes with,
// in the run's own policy and in the advocate's ledger across journeys (claimed together, all or none).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Reward } from '../definitions/generated/journey.ts';
import { decideReward, type PastReward } from '../workflows/rewards/policy.ts';
import { claimLedgerReward, type LedgerEntry, type LedgerWrite } from '../workflows/customer/ledger.ts';
import { recordRewardUpdate } from '../workflows/contract/index.ts';
import { updateCustomer } from '../activities/contact/customer-update.ts';
import { customerStateQuery } from '../workflows/contract/index.ts';
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

const NOW = Date.parse('2026-03-10T12:00:00Z');
const tiered: Reward = {
  type: 'tiered',
  referrer: { kind: 'credit', amount: 50, currency: 'USD' },
  tiers: [{ threshold: 3, tier: 'silver', bonus: { kind: 'gift-card', amount: 100, currency: 'USD' } }],
  release: { on: 'action' },
  caps: { maxRewards: 5, maxAmount: 200, period: 'P30D' },
};
const past = (n: number, amount: number): PastReward[] =>
  Array.from({ length: n }, (_, i) => ({ at: new Date(NOW - (i + 1) * DAY).toISOString(), role: 'referrer', amount, status: 'issued' }));
const decide = (reward: Reward, history: PastReward[]) =>
  decideReward(reward, { advocateId: 'a1', referralId: 'r3' }, history, {
    journeyId: 'j',
    journeyVersion: 1,
    rewardedActionsBefore: 2,
    nowMs: NOW,
  });

describe('tier bonuses count toward the caps', () => {
  it("the run's policy: a referrer reward that fits alone is refused when the bonus it brings would pass the amount cap", () => {
    // 2 × 40 paid: 80 + 50 fits under 200, 80 + 50 + 100 (silver) does not.
    const d = decide(tiered, past(2, 40));
    expect(d).toMatchObject({ grant: false, refusal: { rule: 'cap-amount' } });
    expect(d.requests.map((r) => r.role)).toEqual(['referrer', 'tier-bonus']);
    // Without the bonus's weight it would have passed: the same history with a smaller bonus is granted.
    const small: Reward = { ...tiered, tiers: [{ ...tiered.tiers![0], bonus: { kind: 'gift-card', amount: 10, currency: 'USD' } }] };
    expect(decide(small, past(2, 40))).toMatchObject({ grant: true });
  });

  it("the run's policy: the bonus counts as a reward for maxRewards too", () => {
    const d = decide({ ...tiered, caps: { maxRewards: 3, period: 'P30D' } }, past(2, 1));
    expect(d).toMatchObject({ grant: false, refusal: { rule: 'cap-rewards' } });
  });

  it("the advocate's ledger: the referrer reward and the bonus are claimed together, and refused together", () => {
    const nowIso = new Date(NOW).toISOString();
    const entry = (id: string, amount: number): LedgerEntry => ({
      id,
      customerId: 'a1',
      kind: 'credit',
      amount,
      reason: 'earlier',
      journeyId: 'other-journey',
      journeyVersion: 1,
      role: 'referrer',
      status: 'issued',
      history: [],
      createdAt: nowIso,
      updatedAt: nowIso,
    });
    const write = (id: string, role: string, amount: number): LedgerWrite => ({
      id,
      customerId: 'a1',
      kind: 'credit',
      amount,
      reason: 'r3',
      journeyId: 'j',
      journeyVersion: 1,
      role,
      status: 'held',
    });
    const ledger: Record<string, LedgerEntry> = { e1: entry('e1', 40), e2: entry('e2', 40) };
    const result = claimLedgerReward(
      ledger,
      { write: write('k-referrer', 'referrer', 50), also: [write('k-silver', 'tier-bonus', 100)], caps: tiered.caps },
      nowIso,
    );
    expect(result).toMatchObject({ granted: false, rule: 'cap-amount' });
    expect([ledger['k-referrer']?.status, ledger['k-silver']?.status]).toEqual(['refused', 'refused']);
  });
});

describe('tier bonuses and a cap across journeys (time-skipping server, real customer workflows)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('with 800 of the 1,000 cap paid by another journey, the action that reaches silver is refused whole: the ledger never passes the cap', async () => {
    const customer = `capped-${Date.now().toString(36)}`;
    const plan = await shippedPlan('nps-promoter-referral'); // referrer 50, silver at 3 (+100), cap 1,000 a year
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const friends = [1, 2, 3].map((n) => `friend${n}@${customer}.example`);
    await h.run(async () => {
      try {
        const run = await sendEvent(
          env.client,
          h,
          plan,
          customer,
          event(
            'nps.submitted',
            customer,
            { score: 10 },
            {
              traits: {
                email: `${customer}@advocate.example`,
                firstName: 'Cap',
                timezone: 'Europe/Berlin',
                healthScore: 90,
                segment: 'mid-market',
              },
            },
          ),
        );
        await env.sleep(5 * DAY);
        expect((await state(run)).asks).toHaveLength(1);
        // Another journey paid this advocate 800 this year (written where every journey's claim reads it).
        await updateCustomer(
          { client: env.client, taskQueue: h.taskQueue },
          customer,
          recordRewardUpdate,
          {
            id: `reward:milestone-review-ask:${customer}:m:referrer`,
            customerId: customer,
            kind: 'credit',
            amount: 800,
            currency: 'USD',
            reason: 'an earlier reward',
            journeyId: 'milestone-review-ask',
            journeyVersion: 1,
            role: 'referrer',
            status: 'issued',
          },
          'seed-other-journey',
        );
        for (const n of [1, 2, 3]) {
          await run.signal('journeyEvent', event('referral.submitted', customer, { referralId: `c-${n}`, referredEmail: friends[n - 1] }));
          await env.sleep(HOUR);
          await run.signal('journeyEvent', event('deal.closed_won', customer, { referralId: `c-${n}`, referrerId: customer, amount: 500 }));
          await env.sleep(HOUR);
        }
        const s = await state(run);
        const byReferral = (id: string) => s.rewards.filter((r: { referralId: string }) => r.referralId === id);
        expect(byReferral('c-1').every((r: { status: string }) => r.status === 'issued')).toBe(true);
        expect(byReferral('c-2').every((r: { status: string }) => r.status === 'issued')).toBe(true);
        expect(byReferral('c-3').map((r: { role: string; status: string }) => [r.role, r.status])).toEqual([
          ['referrer', 'refused'],
          ['referred', 'refused'],
          ['tier-bonus', 'refused'],
        ]);
        const ledger = (await env.client.workflow.getHandle(`customer:${customer}`).query(customerStateQuery)) as {
          rewards: { id: string; role?: string; amount?: number; status: string }[];
        };
        const counted = ledger.rewards.filter((e) => e.role !== 'referred' && ['pending', 'held', 'issued'].includes(e.status));
        expect(counted.reduce((sum, e) => sum + (e.amount ?? 0), 0)).toBeLessThanOrEqual(1000);
        expect(ledger.rewards.find((e) => e.id.endsWith(':tier:silver'))?.status).toBe('refused');
      } finally {
        await Promise.allSettled(friends.map((f) => env.client.workflow.getHandle(`customer:${f}`).terminate('test over')));
      }
    });
  });
});
