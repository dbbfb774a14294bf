// An accepted event that a run hears but does not apply leaves a record, never vanishes (patch
// journey-records-unapplied-events, issue 15): an action heard with an opt-out in the same workflow task is honoured
// (its reward issued once, nothing sent: thanks.withheld), one after the opt-out is action.ignored (opted-out); a
// listen event whose condition fails is event.ignored (condition-false); an owner task answer naming another task is
// event.ignored (unknown-task); the inbox's bound records each event it drops (event.dropped, inbox-full); a referral on
// a revoked code (after the opt-out) is event.ignored (code-revoked, patch journey-refuses-revoked-code-referrals).
// Time-skipping server, the shipped plans, real activities (outbox, ledger, NDJSON tracking log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { journeyEventSignal } from '../workflows/contract/index.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { INBOX_MAX_BYTES } from '../workflows/journey/inbox.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { recordHistory } from './interpreter/record-history.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  DAY,
  event,
  HOUR,
  nextUtc,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const EventType = temporal.api.enums.v1.EventType;
const traits = { email: 'rosa.diaz@initech.example', firstName: 'Rosa', timezone: 'America/New_York', segment: 'mid-market' };

describe('events a run hears but does not apply are recorded (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('a review posted in the same workflow task as the opt-out is rewarded once, with no thank-you; one after it is action.ignored (opted-out)', async () => {
    const plan = await shippedPlan('support-praise-advocacy');
    const customerId = 'reviews-then-opts-out';
    // Worker 1 brings the run to Activate, then stops: the two signals below wait on the server and reach worker 2
    // in one workflow task, the race the issue names.
    const first = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true, noCache: true });
    const run = await first.worker.runUntil(async () => {
      // Monday 14:00 UTC (10:00 in New York): the ask (PT4H) goes out the same afternoon, inside the window.
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 14) - (await env.currentTimeMs()));
      const handle = await sendEvent(env.client, first, plan, customerId, event('csat.submitted', customerId, { score: 5 }, { traits }));
      await env.sleep(DAY);
      // Asked; the reminder (P4D) is not due yet: Invite waits with the ask open.
      expect((await state(handle)).asks).toHaveLength(1);
      return handle;
    });
    const review = event('review.posted', customerId, { site: 'Capterra' });
    await run.signal(journeyEventSignal, review);
    await run.signal(journeyEventSignal, event('customer.opted_out', customerId, {}));

    const h = await createHarness(env.nativeConnection, {
      client: env.client,
      scriptedSlots: true,
      takeOver: { taskQueue: first.taskQueue, dataDir: first.dataDir },
    });
    h.handles.push(env.client.workflow.getHandle(run.workflowId));
    await h.run(async () => {
      await env.sleep(HOUR);
      // Both signals were handled by one workflow task: no task completed between them.
      const { events } = await env.client.workflow.getHandle(run.workflowId).fetchHistory();
      const kinds = (events ?? []).map((e) => e.eventType);
      const signalled = kinds.flatMap((k, i) => (k === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED ? [i] : []));
      const [a, b] = signalled.slice(-2);
      expect(b).toBeGreaterThan(a);
      expect(kinds.slice(a, b)).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      const optedOut = await state(run);
      expect(optedOut.notes.map((n) => n.text).join('\n')).toMatch(/opted/);
      // The review's reward is held for its fraud window (P7D) through the opt-out, then paid once.
      await env.sleep(8 * DAY);
      const paid = await state(run);
      expect(paid.stage).toBe('opted-out');
      expect(paid.rewards.map((r) => [r.status, r.amount])).toEqual([['issued', 10]]);

      // After the opt-out was applied: recorded, not rewarded, not queued.
      const late = event('review.posted', customerId, { site: 'G2' });
      await run.signal(journeyEventSignal, late);
      await env.sleep(HOUR);
      const after = await state(run);
      expect(after.rewards).toHaveLength(1);
      expect(after.inbox).toBe(0);

      const { records } = await readTrackingLog(h.dataDir);
      const mine = records.filter((r) => r.customerId === customerId);
      const types = mine.map((r) => r.type);
      expect(mine.filter((r) => r.data?.eventId === review.id).map((r) => r.type)).toEqual(['action.taken']);
      expect(types.filter((t) => t === 'reward.issued')).toHaveLength(1);
      expect(types).toContain('thanks.withheld');
      expect(types).not.toContain('thanks.sent');
      expect(mine.find((r) => r.type === 'thanks.withheld')?.data).toMatchObject({ reason: 'opted-out' });
      const ignored = mine.filter((r) => r.data?.eventId === late.id);
      expect(ignored.map((r) => [r.type, r.data?.reason])).toEqual([['action.ignored', 'opted-out']]);
      // Nothing but the ask went to the customer: no thank-you.
      expect((await h.outbox()).map((m) => m.sendKey)).toEqual([expect.stringContaining(':invite:review:1')]);
    });
  }, 240_000);

  it('a neutral QBR is event.ignored (condition-false); an owner task answer naming another task is event.ignored (unknown-task)', async () => {
    const plan = await shippedPlan('strategic-reference-advisory');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      const customerId = 'neutral-qbr';
      const neutral = event('qbr.completed', customerId, { sentiment: 'neutral' }, { traits: { ...traits, arr: 200_000 } });
      const run = await sendEvent(env.client, h, plan, customerId, neutral);
      const stray = event('owner_task.completed', customerId, { taskId: 'task-of-someone-else' });
      await run.signal(journeyEventSignal, stray);
      await env.sleep(HOUR);
      expect((await state(run)).stage).toBe('listen');
      const { records } = await readTrackingLog(h.dataDir);
      const about = (id: string) => records.filter((r) => r.data?.eventId === id).map((r) => [r.type, r.data?.reason]);
      expect(about(neutral.id)).toEqual([['event.ignored', 'condition-false']]);
      expect(about(stray.id)).toEqual([['event.ignored', 'unknown-task']]);
      expect((await state(run)).notes.map((n) => n.text).join('\n')).toMatch(/ignored \(condition-false\)/);
    });
  }, 120_000);

  it('a referral on its code after the opt-out is event.ignored (code-revoked): no referral, no record of one; one without a code is still a referral', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 14) - (await env.currentTimeMs()));
      const customerId = 'refers-after-opting-out';
      const promoter = { ...traits, healthScore: 88 };
      const run = await sendEvent(env.client, h, plan, customerId, event('nps.submitted', customerId, { score: 10 }, { traits: promoter }));
      await env.sleep(5 * DAY);
      const asked = await state(run);
      expect(asked.asks).toHaveLength(1);
      const code = asked.referralCode!;
      expect(code).toBeTruthy();
      await run.signal(journeyEventSignal, event('customer.opted_out', customerId, {}));
      await env.sleep(HOUR);
      expect((await state(run)).stage).toBe('opted-out');

      // What the referral page sends: its code, beside the describe that tells the page the code is revoked.
      const onCode = event('referral.submitted', customerId, {
        referralId: 'rf-after-opt-out',
        referralCode: code,
        referredEmail: 'grace@initech.example',
        source: 'referral-page',
      });
      // A backend's own record of a referral (no code): a fact the run still keeps.
      const noCode = event('referral.submitted', customerId, { referralId: 'rf-from-crm', referredEmail: 'alan@initech.example' });
      await run.signal(journeyEventSignal, onCode);
      await run.signal(journeyEventSignal, noCode);
      await env.sleep(HOUR);
      const s = await state(run);
      expect(s.referrals.map((r) => r.referralId)).toEqual(['rf-from-crm']);
      expect(s.notes.map((n) => n.text).join('\n')).toMatch(
        /ignored \(code-revoked\): its referral code is no longer valid: the customer opted out/,
      );
      const { records } = await readTrackingLog(h.dataDir);
      const about = (id: string) => records.filter((r) => r.data?.eventId === id).map((r) => [r.type, r.data?.reason]);
      expect(about(onCode.id)).toEqual([['event.ignored', 'code-revoked']]);
      const referrals = records.filter((r) => r.customerId === customerId && r.type === 'referral.submitted');
      expect(referrals.map((r) => r.data?.referralId)).toEqual(['rf-from-crm']);
      await recordHistory('referral-refused-on-revoked-code', run);
    });
  }, 120_000);

  it('the inbox drops its oldest event past its byte bound, and records it as event.dropped (inbox-full)', async () => {
    const plan = await shippedPlan('support-praise-advocacy');
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 14) - (await env.currentTimeMs()));
      const customerId = 'writes-long-comments';
      const run = await sendEvent(env.client, h, plan, customerId, event('csat.submitted', customerId, { score: 5 }, { traits }));
      await env.sleep(DAY);
      expect((await state(run)).asks).toHaveLength(1);
      // Invite and Activate read only the review; each CSAT 5 waits for Listen. Three of ~40% of the bound each: the first goes.
      const comment = 'x'.repeat(Math.floor(INBOX_MAX_BYTES * 0.4));
      const big = [1, 2, 3].map((n) => event('csat.submitted', customerId, { score: 5, comment: `${n}${comment}` }));
      for (const e of big) await run.signal(journeyEventSignal, e);
      await env.sleep(HOUR);
      const s = await state(run);
      expect(s.inbox).toBe(2);
      const { records } = await readTrackingLog(h.dataDir);
      const dropped = records.filter((r) => r.type === 'event.dropped' && r.customerId === customerId);
      expect(dropped.map((r) => [r.data?.eventId, r.data?.reason])).toEqual([[big[0].id, 'inbox-full']]);
    });
  }, 120_000);
});
