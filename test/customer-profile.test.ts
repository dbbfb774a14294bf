// The customer workflow on the real dev server: one contact policy across journeys, opt-out, suppression,
// advocate score (with its search attributes) and the reward ledger, through real updates and signals.
import {
  customerEventSignal,
  customerStateQuery,
  customerWorkflowId,
  globalOptOutUpdate,
  updateTraitsSignal,
  recordRewardUpdate,
  AdvocateScore,
  AdvocateTier,
} from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../worker/worker.ts';
import { createContactActivities } from '../activities/contact/reserve-contact-slot.ts';
import { connectDevServer, terminateRunsOn, uniqueTaskQueue, workflowBundle, type DevServerClients } from './support/temporal.ts';

const DAY = 86_400_000;

describe('customer:<id> owns one contact policy across journeys (dev server)', () => {
  let temporal: DevServerClients;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('customer');
  const run = Date.now().toString(36);
  let contact: ReturnType<typeof createContactActivities>;

  beforeAll(async () => {
    temporal = await connectDevServer();
    worker = await createJourneyWorker({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      activityDeps: { dataDir: '/nonexistent' },
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
    contact = createContactActivities({ client: temporal.client, taskQueue });
  });
  afterAll(async () => {
    await terminateRunsOn(temporal.client, taskQueue);
    worker?.shutdown();
    await running;
    await temporal?.close();
  });

  const state = (customerId: string) => temporal.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);

  it('three journeys asking within an hour under 1 ask / 7 days: exactly one granted now, the others get a retryAt', async () => {
    const customerId = `c3-${run}`;
    const t0 = Date.parse('2026-03-10T10:00:00Z');
    const asks = ['nps-referral', 'review-drive', 'case-study'].map((journeyId, i) => ({
      customerId,
      journeyId,
      sendKey: `journey:${journeyId}:${customerId}:invite:1`,
      at: new Date(t0 + i * 20 * 60_000).toISOString(),
    }));
    const decisions = await Promise.all(asks.map((a) => contact.reserveContactSlot(a)));
    expect(decisions.filter((d) => d.granted)).toHaveLength(1);
    const refused = decisions.filter((d) => !d.granted);
    expect(refused).toHaveLength(2);
    const grantedAt = Date.parse(asks[decisions.findIndex((d) => d.granted)].at);
    for (const d of refused) {
      expect(d.reason).toContain('global cap');
      expect(Date.parse(d.retryAt!)).toBe(grantedAt + 7 * DAY); // 10:xx UTC: outside the default quiet hours
    }
    // A retried reservation (same sendKey) gets the same answer and takes no second slot.
    const again = await Promise.all(asks.map((a) => contact.reserveContactSlot(a)));
    expect(again).toEqual(decisions);
    expect((await state(customerId)).contactHistory).toHaveLength(1);
    // At the retryAt, one of the refused journeys gets its slot.
    const late = asks[decisions.findIndex((d) => !d.granted)];
    const retry = await contact.reserveContactSlot({ ...late, sendKey: `${late.sendKey}:r`, at: refused[0].retryAt! });
    expect(retry.granted).toBe(true);
  });

  it("quiet hours in the customer's zone push the slot to their morning", async () => {
    const customerId = `tokyo-${run}`;
    await contact.reserveContactSlot({ customerId, journeyId: 'warmup', sendKey: `warm-${run}`, at: '2020-01-01T00:00:00Z' }); // starts the workflow
    await temporal.client.workflow.getHandle(customerWorkflowId(customerId)).signal(updateTraitsSignal, { timezone: 'Asia/Tokyo' });
    // 14:30 UTC = 23:30 in Tokyo; quiet until 08:00 Tokyo = 23:00 UTC.
    const d = await contact.reserveContactSlot({ customerId, journeyId: 'j', sendKey: `night-${run}`, at: '2026-03-10T14:30:00Z' });
    expect(d).toMatchObject({ granted: false, retryAt: '2026-03-10T23:00:00.000Z' });
    expect(d.reason).toContain('quiet hours');
  });

  it('an opted-out customer is refused with no retryAt; a bad event suppresses every journey', async () => {
    const optedOut = `optout-${run}`;
    await contact.reserveContactSlot({ customerId: optedOut, journeyId: 'j', sendKey: `o1-${run}`, at: '2026-03-10T10:00:00Z' });
    await temporal.client.workflow
      .getHandle(customerWorkflowId(optedOut))
      .executeUpdate(globalOptOutUpdate, { args: [{ actor: 'ops', reason: 'asked by phone' }] });
    const d = await contact.reserveContactSlot({ customerId: optedOut, journeyId: 'j', sendKey: `o2-${run}`, at: '2026-03-20T10:00:00Z' });
    expect(d.granted).toBe(false);
    expect(d.retryAt).toBeUndefined();
    expect(d.reason).toContain('opted-out');

    const escalated = `esc-${run}`;
    await contact.reserveContactSlot({ customerId: escalated, journeyId: 'j', sendKey: `e0-${run}`, at: '2020-01-01T10:00:00Z' });
    const handle = temporal.client.workflow.getHandle(customerWorkflowId(escalated));
    await handle.signal(customerEventSignal, {
      id: `esc-open-${run}`,
      type: 'escalation.opened',
      customerId: escalated,
      occurredAt: new Date().toISOString(),
      data: { escalationId: 'E1' },
    });
    const held = await contact.reserveContactSlot({
      customerId: escalated,
      journeyId: 'j',
      sendKey: `e1-${run}`,
      at: new Date().toISOString(),
    });
    expect(held.granted).toBe(false);
    expect(held.reason).toContain('open escalation E1');
    expect(held.retryAt).toBeDefined();
  });

  it('keeps a decaying advocate score with reasons and publishes AdvocateScore / AdvocateTier', async () => {
    const customerId = `score-${run}`;
    await contact.reserveContactSlot({ customerId, journeyId: 'j', sendKey: `s0-${run}`, at: '2020-01-01T10:00:00Z' });
    const handle = temporal.client.workflow.getHandle(customerWorkflowId(customerId));
    const now = new Date().toISOString();
    await handle.signal(customerEventSignal, { id: `nps-${run}`, type: 'nps.submitted', customerId, occurredAt: now, data: { score: 10 } });
    await handle.signal(customerEventSignal, { id: `nps-${run}`, type: 'nps.submitted', customerId, occurredAt: now, data: { score: 10 } }); // duplicate delivery
    await handle.signal(customerEventSignal, {
      id: `ref-${run}`,
      type: 'referral.submitted',
      customerId,
      occurredAt: now,
      data: { referralId: 'r1', referredEmail: 'a@b.c' },
    });
    await handle.signal(customerEventSignal, { id: `cs-${run}`, type: 'case_study.published', customerId, occurredAt: now, data: {} });
    let s = await state(customerId);
    expect(s.advocate.score).toBeCloseTo(65, 0); // 25 + 15 + 25, no decay yet
    expect(s.advocate.tier).toBe('advocate');
    expect(s.advocate.reasons.map((r) => r.ruleId).sort()).toEqual(['case-study', 'nps-promoter', 'referral']);
    // A 90-day-old signal counts half (half-life 90 days).
    await handle.signal(customerEventSignal, {
      id: `old-${run}`,
      type: 'contract.renewed',
      customerId,
      occurredAt: new Date(Date.now() - 90 * DAY).toISOString(),
      data: {},
    });
    await handle.signal(customerEventSignal, { id: `churn-${run}`, type: 'churn.risk_flagged', customerId, occurredAt: now, data: {} });
    s = await state(customerId);
    expect(s.advocate.score).toBeCloseTo(65 + 7.5 - 30, 0);
    expect(s.advocate.tier).toBe('advocate');
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(AdvocateScore)).toBeCloseTo(42.5, 0);
    expect(described.typedSearchAttributes.get(AdvocateTier)).toBe('advocate');
    // Operators find champions and advocates by search attribute.
    await expect
      .poll(
        async () => {
          const ids: string[] = [];
          for await (const wf of temporal.client.workflow.list({ query: `AdvocateTier = "advocate" AND TaskQueue = "${taskQueue}"` }))
            ids.push(wf.workflowId);
          return ids;
        },
        { timeout: 10_000 },
      )
      .toContain(customerWorkflowId(customerId));
  });

  it('keeps the reward ledger idempotent by key and refuses impossible moves', async () => {
    const customerId = `ledger-${run}`;
    await contact.reserveContactSlot({ customerId, journeyId: 'j', sendKey: `l0-${run}`, at: '2020-01-01T10:00:00Z' });
    const handle = temporal.client.workflow.getHandle(customerWorkflowId(customerId));
    const base = {
      id: 'adv:ref1:referrer',
      customerId,
      kind: 'credit',
      amount: 50,
      currency: 'USD',
      reason: 'referral',
      journeyId: 'j',
      journeyVersion: 1,
    };
    const first = await handle.executeUpdate(recordRewardUpdate, { args: [{ ...base, status: 'issued' as const }] });
    const repeat = await handle.executeUpdate(recordRewardUpdate, { args: [{ ...base, status: 'issued' as const }] });
    expect(first.changed).toBe(true);
    expect(repeat.changed).toBe(false);
    const backToHeld = await handle.executeUpdate(recordRewardUpdate, { args: [{ ...base, status: 'held' as const }] });
    expect(backToHeld.rejected).toContain('cannot become held');
    await handle.executeUpdate(recordRewardUpdate, { args: [{ ...base, status: 'reversed' as const, note: 'refund' }] });
    const s = await state(customerId);
    expect(s.rewards).toHaveLength(1);
    expect(s.rewards[0].status).toBe('reversed');
    expect(s.rewards[0].history).toHaveLength(2);
  });

  it('continues as new when its history grows, keeping contact history, score and ledger', async () => {
    const customerId = `can-${run}`;
    const c = createContactActivities({ client: temporal.client, taskQueue, profileDefaults: { continueAsNewAfter: 40 } });
    await c.reserveContactSlot({ customerId, journeyId: 'j', sendKey: `k0-${run}`, at: '2026-03-10T10:00:00Z' });
    const handle = temporal.client.workflow.getHandle(customerWorkflowId(customerId));
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 30; i++) {
      await handle.signal(customerEventSignal, {
        id: `m${i}-${run}`,
        type: 'milestone.reached',
        customerId,
        occurredAt: new Date().toISOString(),
        data: { milestone: 'go-live' },
      });
    }
    await expect
      .poll(async () => (await temporal.client.workflow.getHandle(customerWorkflowId(customerId)).describe()).runId, { timeout: 15_000 })
      .not.toBe(firstRun);
    const again = await c.reserveContactSlot({ customerId, journeyId: 'j', sendKey: `k0-${run}`, at: '2026-03-10T10:00:00Z' });
    expect(again.granted).toBe(true); // the first decision, remembered across continue-as-new
    const other = await c.reserveContactSlot({ customerId, journeyId: 'j2', sendKey: `k1-${run}`, at: '2026-03-11T10:00:00Z' });
    expect(other.granted).toBe(false); // the cap still sees the ask made before the handover
    const s = await state(customerId);
    expect(s.advocate.score).toBe(100); // 30 milestones × 10, clamped
  });
});
