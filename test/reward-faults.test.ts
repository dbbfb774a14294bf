// Every payout ends: a referral id no header can carry is paid once (the key is header-safe by construction), a
// receiver that refuses for good ends the activity at once (non-retryable), and operators see it in the run's state
// and its current details; a reversal racing a payout in flight is applied after it. The shipped nps-promoter-referral journey with the real reward
// activities paying through the signed webhook to the test receiver (test/rewards/receiver.ts), on the time-skipping
// server with real customer:<id> workflows.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { startRewardReceiver, type RewardReceiver } from './rewards/receiver.ts';
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
import { headerSafeKey } from '../activities/failures.ts';
import { customerStateQuery } from '../workflows/contract/index.ts';

const SECRET = 'reward-faults-secret';
type RewardEntry = { role: string; status: string; key: string; reason: string };
const traits = (email: string) => ({ email, firstName: 'Ren', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' });

describe('payouts that cannot hang (time-skipping server, reward webhook receiver)', () => {
  let env: TestWorkflowEnvironment;
  let receiver: RewardReceiver;

  // A test server per test: anything an earlier test left pending (a late activity, a workflow started by one) would
  // stop the server skipping time for the next test, whose 5-day sleep then never returns (seen under load in CI).
  beforeEach(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterEach(async () => {
    await env?.teardown();
  }, 60_000);
  beforeAll(async () => {
    receiver = await startRewardReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });

  async function referAndClose(customer: string, referralId: string) {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, {
      client: env.client,
      rewardWebhook: { url: receiver.url, secret: SECRET, timeoutMs: 15_000 },
    });
    // The referred friend's ledger (customer:<friend>) runs on this harness's queue: it ends with the test's runs.
    h.alsoEnd(`customer:friend@${customer}.example`);
    return {
      h,
      go: async () => {
        const run = await sendEvent(
          env.client,
          h,
          plan,
          customer,
          event('nps.submitted', customer, { score: 10 }, { traits: traits(`${customer}@advocate.example`) }),
        );
        await env.sleep(5 * DAY);
        await run.signal(
          'journeyEvent',
          event('referral.submitted', customer, { referralId, referredEmail: `friend@${customer}.example` }),
        );
        await env.sleep(HOUR);
        await run.signal('journeyEvent', event('deal.closed_won', customer, { referralId, referrerId: customer, amount: 1000 }));
        return run;
      },
    };
  }

  /** The rewards in a customer's ledger (customer:<id>), read while the runs live. */
  async function ledgerOf(customerId: string) {
    const ledger = (await env.client.workflow.getHandle(`customer:${customerId}`).query(customerStateQuery)) as {
      rewards: { id: string; status: string; history: { status: string }[] }[];
    };
    return ledger.rewards;
  }

  async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it('a referral id with CR/LF and characters above U+00FF is paid exactly once under a header-safe key', async () => {
    const customer = `hdr-${Date.now().toString(36)}`;
    const referralId = 'R→1\r\nX-Evil: yes ü';
    const { h, go } = await referAndClose(customer, referralId);
    await h.run(async () => {
      const run = await go();
      const paid = await until(
        'the referrer reward issued',
        () => state(run),
        // Both sides settled: nothing of this payout still reaches a customer workflow.
        (s) => s.rewards.length === 2 && s.rewards.every((r: RewardEntry) => r.status !== 'held'),
      );
      const referrer = paid.rewards.find((r: RewardEntry) => r.role === 'referrer')!;
      expect(referrer.status, JSON.stringify(paid.notes)).toBe('issued');
      // The key itself is a valid header value, and the receiver paid it once.
      expect(referrer.key).toMatch(/^[\x21-\x7e]+$/);
      expect(headerSafeKey(referrer.key)).toBe(referrer.key);
      expect(receiver.payouts.has(referrer.key)).toBe(true);
      expect(receiver.requests.filter((r) => r.key === referrer.key)).toHaveLength(1);
      expect((receiver.payouts.get(referrer.key) as { referralId: string }).referralId).toBe(referralId);
    });
  });

  it('a receiver that refuses for good (422) ends the payout at once: failed in the state and the details (the metric: test/worker-process-faults.test.ts)', async () => {
    const customer = `rej-${Date.now().toString(36)}`;
    const { h, go } = await referAndClose(customer, 'R-422');
    receiver.rejectWith(422);
    try {
      await h.run(async () => {
        const run = await go();
        const s = await until(
          'the referrer reward failed',
          () => state(run),
          (x) => x.rewards.length === 2 && x.rewards.every((r: RewardEntry) => r.status === 'failed'),
        );
        const referrer = s.rewards.find((r: RewardEntry) => r.role === 'referrer')!;
        expect(referrer.reason).toMatch(/422/);
        expect(receiver.requests.filter((r) => r.key === referrer.key)).toHaveLength(1); // not retried
        const meta: { currentDetails: string } = await run.query('__temporal_workflow_metadata');
        expect(meta.currentDetails).toMatch(
          /^- rewards failed, need an operator: 2 · last reward:nps-promoter-referral:rej-\S+:R-422:referred: .*422/m,
        );
      });
    } finally {
      receiver.rejectWith(undefined);
    }
  });

  it('a reversal while the payout is in flight is applied after it: the receiver has answered the issue before the reverse arrives, and the run and the ledger end reversed', async () => {
    const customer = `race-${Date.now().toString(36)}`;
    const { h, go } = await referAndClose(customer, 'R-race');
    const key = `reward:nps-promoter-referral:${customer}:R-race:referrer`;
    receiver.slowFor(3000, 1); // the referrer's payout is recorded, then answered 3 s later
    await h.run(async () => {
      const run = await go();
      await until(
        'the payout in flight at the receiver',
        async () => receiver.requests.find((r) => r.key === key),
        (r) => r !== undefined && r.status === 0,
      );
      await run.signal(
        'journeyEvent',
        event('referral.reversed', customer, { referralId: 'R-race', referrerId: customer, reason: 'refunded' }),
      );
      const s = await until(
        'both rewards settled',
        () => state(run),
        (x) =>
          x.rewards.length === 2 &&
          x.rewards.every((r: RewardEntry) => r.status === 'reversed') &&
          receiver.reversals.has(`${key}:reverse`),
      );
      expect(s.rewards.map((r: RewardEntry) => [r.role, r.status])).toEqual([
        ['referrer', 'reversed'],
        ['referred', 'reversed'],
      ]);
      const issue = receiver.requests.find((r) => r.key === key)!;
      const reverse = receiver.requests.find((r) => r.key === `${key}:reverse`)!;
      expect(issue.answeredAt).toBeGreaterThan(0);
      expect(reverse.at).toBeGreaterThanOrEqual(issue.answeredAt);
      // The referred friend's reward was still held: reversed in the ledger, and never sent to the receiver at all.
      expect(receiver.requests.filter((r) => r.key.includes(':R-race:referred'))).toEqual([]);
      const entry = (await ledgerOf(customer)).find((r) => r.id === key)!;
      expect(entry.status).toBe('reversed');
      // The run claimed the entry (held) and paid it on the first attempt without the ledger's pre-check (pending).
      expect(entry.history.map((x) => x.status)).toEqual(['held', 'issued', 'reversed']);
    });
  });

  it("a payout the run claimed goes to the provider without the ledger's pre-check on its first attempt, and a retry decides in the ledger first: paid once", async () => {
    const customer = `retry-${Date.now().toString(36)}`;
    const { h, go } = await referAndClose(customer, 'R-retry');
    const key = `reward:nps-promoter-referral:${customer}:R-retry:referrer`;
    receiver.failNext(1, 503); // the referrer's first payout request; its activity's second attempt is paid
    await h.run(async () => {
      const run = await go();
      const s = await until(
        'both rewards issued',
        () => state(run),
        (x) => x.rewards.length === 2 && x.rewards.every((r: RewardEntry) => r.status === 'issued'),
      );
      expect(s.rewards.map((r: RewardEntry) => r.role)).toEqual(['referrer', 'referred']);
      // Two requests for the referrer's key (the 503, then the payout), one payout.
      expect(receiver.requests.filter((r) => r.key === key).map((r) => r.status)).toEqual([503, 200]);
      expect([...receiver.payouts.keys()].filter((k) => k === key)).toHaveLength(1);
      const referrer = (await ledgerOf(customer)).find((r) => r.id === key)!;
      // Attempt 1 (claimed by the run) skipped the pre-check; attempt 2 wrote pending first.
      expect(referrer.history.map((x) => x.status)).toEqual(['held', 'pending', 'issued']);
      // The friend's reward was not claimed by the run (the friend's ledger is another customer's): it decides first.
      const friend = (await ledgerOf(`friend@${customer}.example`)).find((r) => r.id.endsWith(':R-retry:referred'))!;
      expect(friend.history.map((x) => x.status)).toEqual(['held', 'pending', 'issued']);
      // In the advocate's own workflow: the claim and the issued write, and attempt 2's pending: 3 ledger updates.
      const { events } = await env.client.workflow.getHandle(`customer:${customer}`).fetchHistory();
      const ledgerUpdates = (events ?? []).flatMap((e) => {
        const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
        return name === 'claimReward' || name === 'recordReward' ? [name] : [];
      });
      expect(ledgerUpdates).toEqual(['claimReward', 'recordReward', 'recordReward']);
    });
  });
});
