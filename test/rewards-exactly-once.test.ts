// Rewards on a real dev server with real workers: the policy decides, the activities pay through a signed
// webhook to a local receiver that counts payouts by Idempotency-Key, and every reward lands in the
// recipient's ledger in their customer workflow.
import { customerStateQuery, customerWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import type { Reward } from '../definitions/generated/journey.ts';
import { createRewardActivities } from '../activities/rewards/reward-activities.ts';
import { rewardKey } from '../workflows/rewards/policy.ts';
import { startRewardReceiver, type RewardReceiver } from './rewards/receiver.ts';
import type { RewardHarnessInput } from './rewards/workflows.ts';
import { connectDevServer, terminateRunsOn, uniqueTaskQueue, type DevServerClients } from './support/temporal.ts';

const SECRET = 'test-secret';
const twoSided: Reward = {
  type: 'two-sided',
  referrer: { kind: 'credit', amount: 50, currency: 'USD' },
  referred: { kind: 'discount', amount: 20, currency: 'USD' },
  release: { on: 'action' },
  caps: { maxRewards: 2, period: 'P30D' },
  fraud: { rejectSelfReferral: true, rejectDuplicateReferred: true, rejectSameEmailDomain: true },
  reversal: { events: ['referral.reversed'], window: 'P60D' },
};

describe('rewards are paid exactly once (dev server, real workers, webhook receiver)', () => {
  let temporal: DevServerClients;
  let receiver: RewardReceiver;
  let bundle: { code: string };
  const run = Date.now().toString(36);
  const queues: string[] = [];
  // Customer workflows (the ledgers) live on their own queue with a long-lived worker, as in production.
  const customerQueue = uniqueTaskQueue('customers');
  let customerWorker: Worker;
  let customerRunning: Promise<void>;

  beforeAll(async () => {
    temporal = await connectDevServer();
    receiver = await startRewardReceiver(SECRET);
    bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./rewards/workflows.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
    });
    queues.push(customerQueue);
    customerWorker = await Worker.create({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue: customerQueue,
      workflowBundle: bundle,
    });
    customerRunning = customerWorker.run();
  });
  afterAll(async () => {
    await terminateRunsOn(temporal.client, ...queues);
    customerWorker?.shutdown();
    await customerRunning;
    await receiver?.close();
    await temporal?.close();
  });

  async function worker(taskQueue: string, webhook = true) {
    if (!queues.includes(taskQueue)) queues.push(taskQueue);
    return Worker.create({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      shutdownGraceTime: '200 ms',
      activities: createRewardActivities({
        client: temporal.client,
        taskQueue: customerQueue,
        webhook: webhook ? { url: receiver.url, secret: SECRET, timeoutMs: 3000 } : undefined,
      }),
    });
  }
  const input = (advocateId: string, referralId: string, extra: Partial<RewardHarnessInput> = {}): RewardHarnessInput => ({
    reward: twoSided,
    journeyId: 'referral',
    journeyVersion: 3,
    rewardedActionsBefore: 0,
    past: [],
    facts: {
      advocateId,
      advocateEmail: `${advocateId}@acme.test`,
      referralId,
      referredEmail: `friend-${referralId}@other.test`,
      referredCustomerId: `friend-${referralId}`,
    },
    ...extra,
  });
  const ledger = (customerId: string) => temporal.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
  const requestsFor = (key: string) => receiver.requests.filter((r) => r.key === key);

  it('a two-sided reward is paid once to each side when the webhook fails twice, then succeeds', async () => {
    const taskQueue = uniqueTaskQueue('reward');
    const w = await worker(taskQueue);
    const advocate = `adv-a-${run}`;
    receiver.failNext(2);
    const result = await w.runUntil(
      temporal.client.workflow.execute('rewardHarness', { workflowId: `rh-a-${run}`, taskQueue, args: [input(advocate, 'r1')] }),
    );
    expect(result.results.map((r: { status: string }) => r.status)).toEqual(['issued', 'issued']);
    const referrerKey = rewardKey('referral', advocate, 'r1', 'referrer');
    const referredKey = rewardKey('referral', advocate, 'r1', 'referred');
    expect(requestsFor(referrerKey).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(receiver.payouts.get(referrerKey)).toMatchObject({ amount: 50, role: 'referrer', recipientId: advocate, journeyVersion: 3 });
    expect(receiver.payouts.get(referredKey)).toMatchObject({ amount: 20, role: 'referred', recipientId: 'friend-r1' });
    expect([...receiver.payouts.keys()].filter((k) => k.includes(advocate))).toHaveLength(2);
    expect((await ledger(advocate)).rewards).toEqual([expect.objectContaining({ id: referrerKey, status: 'issued', provider: 'webhook' })]);
    expect((await ledger('friend-r1')).rewards).toEqual([expect.objectContaining({ id: referredKey, status: 'issued' })]);
  });

  it('is paid once when the worker is restarted between the call and its completion', async () => {
    const taskQueue = uniqueTaskQueue('reward-restart');
    const advocate = `adv-b-${run}`;
    const referrerKey = rewardKey('referral', advocate, 'r2', 'referrer');
    receiver.slowFor(5000); // the receiver books the payout, then answers too late for the first worker
    const first = await worker(taskQueue);
    const firstRun = first.run();
    const handle = await temporal.client.workflow.start('rewardHarness', {
      workflowId: `rh-b-${run}`,
      taskQueue,
      args: [input(advocate, 'r2')],
    });
    await expect.poll(() => receiver.payouts.has(referrerKey), { timeout: 20_000, interval: 50 }).toBe(true);
    first.shutdown(); // the worker dies with the payout call in flight
    await firstRun;
    const second = await worker(taskQueue);
    const result = await second.runUntil(handle.result());
    expect(result.results.map((r: { status: string }) => r.status)).toEqual(['issued', 'issued']);
    expect(requestsFor(referrerKey).length).toBeGreaterThanOrEqual(2); // it was retried...
    expect([...receiver.payouts.keys()].filter((k) => k === referrerKey)).toHaveLength(1); // ...and paid once
    expect((await ledger(advocate)).rewards.filter((r) => r.id === referrerKey && r.status === 'issued')).toHaveLength(1);
  });

  it('a permanent 4xx marks the reward failed for operators and is not retried; 409 counts as already paid', async () => {
    const taskQueue = uniqueTaskQueue('reward-4xx');
    const w = await worker(taskQueue);
    const advocate = `adv-c-${run}`;
    receiver.rejectWith(422);
    const err = await w
      .runUntil(temporal.client.workflow.execute('rewardHarness', { workflowId: `rh-c-${run}`, taskQueue, args: [input(advocate, 'r3')] }))
      .catch((e) => e)
      .finally(() => receiver.rejectWith(undefined));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String(((err as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toContain('422');
    const referrerKey = rewardKey('referral', advocate, 'r3', 'referrer');
    expect(requestsFor(referrerKey)).toHaveLength(1);
    expect((await ledger(advocate)).rewards).toEqual([
      expect.objectContaining({ id: referrerKey, status: 'failed', failure: expect.stringContaining('422') }),
    ]);

    receiver.rejectWith(409);
    const advocate2 = `adv-d-${run}`;
    const w2 = await worker(taskQueue);
    const ok = await w2
      .runUntil(temporal.client.workflow.execute('rewardHarness', { workflowId: `rh-d-${run}`, taskQueue, args: [input(advocate2, 'r4')] }))
      .finally(() => receiver.rejectWith(undefined));
    expect(ok.results.map((r: { status: string }) => r.status)).toEqual(['issued', 'issued']);
  });

  it('a reached cap gives no reward and a recorded reason; a self-referral is refused', async () => {
    const taskQueue = uniqueTaskQueue('reward-cap');
    const w = await worker(taskQueue);
    const advocate = `adv-e-${run}`;
    const recent = new Date(Date.now() - 86_400_000).toISOString();
    const past = [
      { at: recent, role: 'referrer' as const, amount: 50, status: 'issued' as const },
      { at: recent, role: 'referrer' as const, amount: 50, status: 'issued' as const },
    ];
    const capped = await w.runUntil(
      temporal.client.workflow.execute('rewardHarness', { workflowId: `rh-e-${run}`, taskQueue, args: [input(advocate, 'r5', { past })] }),
    );
    expect(capped.decision.grant).toBe(false);
    expect(capped.decision.refusal).toMatchObject({ rule: 'cap-rewards', reason: expect.stringContaining('cap reached: 2 of 2') });
    expect([...receiver.payouts.keys()].some((k) => k.includes(advocate))).toBe(false);
    expect((await ledger(advocate)).rewards).toEqual([
      expect.objectContaining({ status: 'refused', failure: expect.stringContaining('cap reached') }),
    ]);

    const self = `adv-f-${run}`;
    const w2 = await worker(taskQueue);
    const selfRef = await w2.runUntil(
      temporal.client.workflow.execute('rewardHarness', {
        workflowId: `rh-f-${run}`,
        taskQueue,
        args: [
          input(self, 'r6', {
            facts: { advocateId: self, advocateEmail: 'me@acme.test', referralId: 'r6', referredEmail: 'ME@acme.test' },
          }),
        ],
      }),
    );
    expect(selfRef.decision.refusal).toMatchObject({ rule: 'self-referral' });
    expect([...receiver.payouts.keys()].some((k) => k.includes(self))).toBe(false);
  });

  it('a reversal reverses the issued reward once, at the receiver and in the ledger', async () => {
    const taskQueue = uniqueTaskQueue('reward-reverse');
    const w = await worker(taskQueue);
    const advocate = `adv-g-${run}`;
    const key = rewardKey('referral', advocate, 'r7', 'referrer');
    await w.runUntil(async () => {
      await temporal.client.workflow.execute('rewardHarness', { workflowId: `rh-g-${run}`, taskQueue, args: [input(advocate, 'r7')] });
      for (const n of [1, 2]) {
        const r = await temporal.client.workflow.execute('reverseHarness', {
          workflowId: `rv-g${n}-${run}`,
          taskQueue,
          args: [{ idempotencyKey: key, recipientId: advocate, reason: 'refund' }],
        });
        expect(r).toEqual({ rewardId: key, status: 'reversed' });
      }
    });
    expect(receiver.reversals.has(`${key}:reverse`)).toBe(true);
    expect(requestsFor(`${key}:reverse`)).toHaveLength(2); // asked twice, reversed once (the receiver dedups)
    expect((await ledger(advocate)).rewards).toEqual([expect.objectContaining({ id: key, status: 'reversed' })]);
  });

  it('without a webhook the built-in ledger is the provider', async () => {
    const taskQueue = uniqueTaskQueue('reward-ledger');
    const w = await worker(taskQueue, false);
    const advocate = `adv-h-${run}`;
    const before = receiver.requests.length;
    const result = await w.runUntil(
      temporal.client.workflow.execute('rewardHarness', { workflowId: `rh-h-${run}`, taskQueue, args: [input(advocate, 'r8')] }),
    );
    expect(result.results).toEqual([
      expect.objectContaining({ status: 'issued', provider: 'ledger' }),
      expect.objectContaining({ status: 'issued', provider: 'ledger' }),
    ]);
    expect(receiver.requests.length).toBe(before);
    expect((await ledger(advocate)).rewards).toEqual([expect.objectContaining({ status: 'issued', provider: 'ledger' })]);
  });

  it('without a webhook one ledger write pays a reward: a repeat pays nothing again, a reversed reward is never paid', async () => {
    const taskQueue = uniqueTaskQueue('reward-ledger-once');
    const w = await worker(taskQueue, false);
    const advocate = `adv-i-${run}`;
    const referral = `r9-${run}`;
    const friend = `friend-${referral}`;
    const reversedFirst = `adv-j-${run}`;
    const reversedKey = rewardKey('referral', reversedFirst, 'r10', 'referrer');
    const statusesOf = async (customerId: string, key: string) =>
      (await ledger(customerId)).rewards.find((r: { id: string }) => r.id === key)?.history.map((h: { status: string }) => h.status);
    const ledgerUpdates = async (customerId: string) =>
      ((await temporal.client.workflow.getHandle(customerWorkflowId(customerId)).fetchHistory()).events ?? []).filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'recordReward',
      ).length;
    await w.runUntil(async () => {
      const first = await temporal.client.workflow.execute('rewardHarness', {
        workflowId: `rh-i1-${run}`,
        taskQueue,
        args: [input(advocate, referral)],
      });
      expect(first.results.map((r: { status: string }) => r.status)).toEqual(['issued', 'issued']);
      // The friend's reward: one update, the issue itself (a pending write before it, as with a webhook, made two).
      const friendKey = rewardKey('referral', advocate, referral, 'referred');
      expect(await statusesOf(friend, friendKey)).toEqual(['issued']);
      expect(await ledgerUpdates(friend)).toBe(1);
      // The same rewards again (a retried run, say): answered issued, written and paid no second time.
      const again = await temporal.client.workflow.execute('rewardHarness', {
        workflowId: `rh-i2-${run}`,
        taskQueue,
        args: [input(advocate, referral)],
      });
      expect(again.results.map((r: { status: string }) => r.status)).toEqual(['issued', 'issued']);
      expect(await statusesOf(friend, friendKey)).toEqual(['issued']);
      // A reward reversed before its payout came is refused by the issue write: never issued.
      await temporal.client.workflow.execute('reverseHarness', {
        workflowId: `rv-j-${run}`,
        taskQueue,
        args: [{ idempotencyKey: reversedKey, recipientId: reversedFirst, reason: 'refund' }],
      });
      const late = await temporal.client.workflow.execute('rewardHarness', {
        workflowId: `rh-j-${run}`,
        taskQueue,
        args: [input(reversedFirst, 'r10')],
      });
      expect(late.results[0]).toEqual(
        expect.objectContaining({ rewardId: reversedKey, status: 'failed', failure: expect.stringContaining('reversed') }),
      );
      expect(await statusesOf(reversedFirst, reversedKey)).toEqual(['reversed']);
    });
  });
});
