// An operator's "hand over now" (the handOver update) moves a run onto a fresh history at its next safe point, in
// any stage: a reward hold (the reward is still paid exactly once, by the next run), opted out, ended. The state is
// carried and nothing is sent again. customer:<id> hands over too. Time-skipping server, real customer workflows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import {
  cancelRunUpdate,
  customerStateQuery,
  customerWorkflowId,
  handOverUpdate,
  journeyEventSignal,
  journeyWorkflowId,
  optOutUpdate,
} from '../workflows/contract/index.ts';
import { handOverCustomerUpdate, recordRewardUpdate } from '../workflows/contract/index.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { recordHistory } from './interpreter/record-history.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  HOUR,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';
import type { JourneyState } from '../workflows/journey/state.ts';
import type { LedgerEntry } from '../workflows/customer/ledger.ts';

/** The journeyState query's answer (workflows/journey/operators.ts snapshot). */
type Snapshot = Omit<JourneyState, 'seenEventIds' | 'inbox'> & {
  seenEventIds: number;
  inbox: number;
  handoverRequested?: { at: string; actor?: string; reason?: string };
};
const snap = (handle: Parameters<typeof state>[0]) => state(handle) as Promise<Snapshot>;
type CustomerView = { rewards: LedgerEntry[]; contactHistory: unknown[]; handoverRequested?: { actor?: string }; advocate?: unknown };

const traits = (email: string) => ({ email, firstName: 'Hana', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' });
const operator = { actor: 'ops', reason: 'release 1.1 retires a patch' };

describe('hand over now (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** The run ids of a workflow, oldest first: each run's first event names the run it continued. */
  async function runIds(workflowId: string): Promise<string[]> {
    const ids: string[] = [];
    let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
    while (runId) {
      ids.unshift(runId);
      const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    }
    return ids;
  }

  const ledger = async (id: string) =>
    ((await env.client.workflow.getHandle(customerWorkflowId(id)).query(customerStateQuery)) as CustomerView).rewards;

  it('a reward held for its deal hands over; the next run pays it exactly once when the deal closes, with one thank-you', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const customerId = 'hold-1';
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        customerId,
        event('nps.submitted', customerId, { score: 10 }, { traits: traits('hana@advocate.example') }),
      );
      await env.sleep(5 * DAY);
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', customerId, { referralId: 'h-1', referredEmail: 'ida@prospect.example' }),
      );
      await env.sleep(HOUR);
      const held = await snap(run);
      expect(held.stage).toBe('reward');
      expect(held.heldRewards?.map((r) => r.referralId)).toEqual(['h-1']);
      expect((await ledger(customerId)).map((e) => [e.referralId, e.status])).toEqual([['h-1', 'held']]);

      const accepted = (await run.executeUpdate(handOverUpdate, { args: [operator] })) as Snapshot;
      expect(accepted.handoverRequested).toMatchObject({ actor: 'ops', reason: operator.reason });
      await env.sleep(HOUR);
      const runs = await runIds(workflowId);
      expect(runs).toHaveLength(2);
      const current = env.client.workflow.getHandle(workflowId);
      const resumed = await snap(current);
      expect(resumed.stage).toBe('reward');
      expect(resumed.handoverRequested).toBeUndefined();
      expect(resumed.heldRewards).toEqual(held.heldRewards);
      expect(resumed.asks).toEqual(held.asks);
      expect(resumed.notes.map((n) => n.text)).toContain(`operator handOver by ops: ${operator.reason}`);

      await current.signal(
        journeyEventSignal,
        event('deal.closed_won', 'ida', { referralId: 'h-1', referrerId: customerId, amount: 4000 }),
      );
      await env.sleep(HOUR);
      const paid = await snap(current);
      expect(paid.rewards.filter((r) => r.role === 'referrer').map((r) => [r.referralId, r.status])).toEqual([['h-1', 'issued']]);
      expect(paid.heldRewards ?? []).toEqual([]);
      expect(paid.history).toMatchObject({ conversions: 1, rewardsIssued: 2 });
      const mine = await ledger(customerId);
      expect(mine.map((e) => [e.referralId, e.status])).toEqual([['h-1', 'issued']]);
      expect(mine[0].history.filter((x) => x.status === 'issued')).toHaveLength(1);
      expect((await ledger('ida@prospect.example')).map((e) => [e.role, e.status])).toEqual([['referred', 'issued']]);
      expect((await h.outbox()).filter((m) => m.sendKey.includes(':thank-you:')).map((m) => m.sendKey.split(':').pop())).toEqual(['h-1']);

      await current.executeUpdate(cancelRunUpdate, { args: [{ actor: 'test', reason: 'flush tracking' }] });
      await env.sleep(1000);
      const { records } = await readTrackingLog(h.dataDir);
      const mineTracked = records.filter((r) => r.customerId === customerId);
      expect(mineTracked.filter((r) => r.type === 'reward.issued' && r.data?.role === 'referrer')).toHaveLength(1);
      expect(mineTracked.filter((r) => r.type === 'operator.handOver')).toHaveLength(1);
      expect(new Set(mineTracked.map((r) => r.key)).size).toBe(mineTracked.length);
      await recordHistory('hand-over-from-reward-hold', env.client.workflow.getHandle(workflowId, runs[0]));
      await recordHistory('reward-released-after-hand-over', env.client.workflow.getHandle(workflowId, runs[1]));
    });
  }, 120_000);

  it('an opted-out run hands over and stays opted out: its events are still taken once, and nothing is asked', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    const customerId = 'out-1';
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        customerId,
        event('nps.submitted', customerId, { score: 10 }, { traits: traits('out@example.com') }),
      );
      await env.sleep(HOUR);
      await run.executeUpdate(optOutUpdate, { args: [{ actor: 'ops', reason: 'asked to stop' }] });
      await env.sleep(HOUR);
      const before = await snap(run);
      expect(before.stage).toBe('opted-out');
      await run.executeUpdate(handOverUpdate, { args: [operator] });
      await env.sleep(HOUR);
      expect(await runIds(workflowId)).toHaveLength(2);
      const current = env.client.workflow.getHandle(workflowId);
      const after = await snap(current);
      expect(after.stage).toBe('opted-out');
      expect(after.suppression.optedOut).toEqual(before.suppression.optedOut);
      expect(after.seenEventIds).toBe(before.seenEventIds);
      // The first delight again (same event id) is a duplicate; a new one is taken and never acted on.
      const again = event('nps.submitted', customerId, { score: 10 });
      await current.signal(journeyEventSignal, again);
      await current.signal(journeyEventSignal, again);
      await env.sleep(7 * DAY);
      const later = await snap(current);
      expect(later.stage).toBe('opted-out');
      expect(later.seenEventIds).toBe(before.seenEventIds + 1);
      expect(await h.outbox()).toHaveLength(0);
    });
  }, 120_000);

  it('an ended run hands over and rests as a tombstone in the next run; an action that is not an object is refused', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    const customerId = 'end-1';
    const workflowId = journeyWorkflowId(plan.journeyId, customerId);
    await h.run(async () => {
      const run = await sendEvent(
        env.client,
        h,
        plan,
        customerId,
        event('nps.submitted', customerId, { score: 10 }, { traits: traits('end@example.com') }),
      );
      await env.sleep(HOUR);
      await run.executeUpdate(cancelRunUpdate, { args: [{ actor: 'ops', reason: 'customer asked' }] });
      await env.sleep(HOUR);
      const ended = await snap(run);
      expect(ended.stage).toBe('ended');
      const bad: unknown = await run.executeUpdate(handOverUpdate, { args: ['now' as never] }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((bad as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'OperatorActionRejected' });
      await run.executeUpdate(handOverUpdate, { args: [operator] });
      await env.sleep(HOUR);
      expect(await runIds(workflowId)).toHaveLength(2);
      const current = env.client.workflow.getHandle(workflowId);
      const after = await snap(current);
      expect(after.stage).toBe('ended');
      expect(after.ended).toEqual(ended.ended);
      await current.signal(journeyEventSignal, event('nps.submitted', customerId, { score: 10 }));
      await env.sleep(7 * DAY);
      expect((await snap(current)).stage).toBe('ended');
      expect(await h.outbox()).toHaveLength(0);
    });
  }, 120_000);

  it('customer:<id> hands over at once and keeps its ledger, contact history and sends', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { client: env.client });
    const customerId = 'cust-1';
    await h.run(async () => {
      // The first ask starts customer:<id> (contact slot) and records the send there.
      await sendEvent(
        env.client,
        h,
        plan,
        customerId,
        event('nps.submitted', customerId, { score: 10 }, { traits: traits('cust@example.com') }),
      );
      await env.sleep(5 * DAY);
      const profile = env.client.workflow.getHandle(customerWorkflowId(customerId));
      await profile.executeUpdate(recordRewardUpdate, {
        args: [
          {
            id: 'reward:manual:1',
            customerId,
            kind: 'credit',
            amount: 10,
            reason: 'goodwill',
            journeyId: 'manual',
            journeyVersion: 1,
            status: 'issued',
          },
        ],
      });
      const before = (await profile.query(customerStateQuery)) as CustomerView;
      expect(before.contactHistory).toHaveLength(1);
      const answer = (await profile.executeUpdate(handOverCustomerUpdate, { args: [operator] })) as CustomerView;
      expect(answer.handoverRequested).toMatchObject({ actor: 'ops' });
      await env.sleep(HOUR);
      expect(await runIds(customerWorkflowId(customerId))).toHaveLength(2);
      const after = (await env.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery)) as CustomerView;
      expect(after.handoverRequested).toBeUndefined();
      expect({ ...after, advocate: undefined }).toEqual({ ...before, advocate: undefined });
    });
  }, 120_000);
});
