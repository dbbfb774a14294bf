// The 1:1 motion through a CRM provider, on the time-skipping server with the real CRM webhook activity posting to a
// CRM receiver (test/crm/receiver.ts): the owner's task is created once, in the owner's working hours and zone, with
// no slot of the customer's contact cap; the owner's answer (done, declined, none by the deadline) drives the run as
// the plan says; referral stages reach the CRM once each, through injected failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { journeyEventSignal, journeyWorkflowId } from '../workflows/contract/index.ts';
import { loadCrmMappings } from '../definitions/crm-mapping.ts';
import { headerSafeKey } from '../activities/failures.ts';
import { createTimeSkippingEnv } from './support/temporal.ts';
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
import { startCrmReceiver, type CrmReceiver } from './crm/receiver.ts';

const SECRET = 'crm-test-secret';
const STRATEGIC = 'strategic-reference-advisory';

function webhook(receiver: CrmReceiver, crm: 'hubspot' | 'salesforce' = 'hubspot') {
  return { url: receiver.url, secret: SECRET, crm, mapping: loadCrmMappings().mappings[crm] };
}

const account = (extra: Record<string, unknown> = {}) => ({
  email: 'casey@customer.example',
  firstName: 'Casey',
  company: 'Customer Inc',
  timezone: 'America/New_York',
  segment: 'enterprise',
  arr: 200000,
  healthScore: 92,
  ownerEmail: 'jordan.lee@acme.example',
  ownerName: 'Jordan Lee',
  ownerTimezone: 'Asia/Tokyo',
  ownerWorkingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  ...extra,
});

describe('owner tasks through the CRM webhook (time-skipping server, real CRM activity)', () => {
  let env: TestWorkflowEnvironment;
  let receiver: CrmReceiver;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
    receiver = await startCrmReceiver(SECRET);
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await env?.teardown();
  });

  it("the task is created once in the owner's working hours (Tokyo), takes no customer contact slot, and done moves on to Activate", async () => {
    const plan = await shippedPlan(STRATEGIC);
    const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true, crmWebhook: webhook(receiver) });
    // Every first try of the task fails (503): the activity retries with the same Idempotency-Key.
    receiver.failNext(2);
    await h.run(async () => {
      const friday20Utc = nextUtc(await env.currentTimeMs(), 5, 20);
      await env.sleep(friday20Utc - (await env.currentTimeMs()));
      const customerId = 'Zoë Ünal:strategic/1';
      const handle = await sendEvent(
        env.client,
        h,
        plan,
        customerId,
        event('contract.renewed', customerId, { termMonths: 24 }, { traits: account() }),
      );
      // Due Monday 20:00 UTC (P3D): 15:00 in New York, inside the customer's window, but Tuesday 05:00 in Tokyo.
      await env.sleep(3 * DAY + 2 * HOUR);
      expect((await state(handle)).asks).toHaveLength(0);
      await env.sleep(6 * HOUR);
      const s = await state(handle);
      expect(s.asks).toHaveLength(1);
      const tuesday09Tokyo = friday20Utc + 3 * DAY + 4 * HOUR; // Tuesday 00:00 UTC
      expect(Date.parse(s.asks[0].at) - tuesday09Tokyo).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.asks[0].at) - tuesday09Tokyo).toBeLessThan(60_000);
      // The owner is asked, not the customer: no contact slot was asked for.
      expect(h.slotRequests).toEqual([]);
      const taskId = s.ownerTask!.taskId;
      expect(taskId).toBe(`${journeyWorkflowId(STRATEGIC, customerId)}:1:invite:reference-call:1`);
      expect(s.ownerTask).toMatchObject({ provider: 'crm-webhook', motion: 'reference-call', cycle: 1 });
      // Due 10 days after the task was asked for (the retries took seconds of that).
      expect(Date.parse(s.ownerTask!.dueAt) - Date.parse(s.asks[0].at)).toBeGreaterThan(10 * DAY - 60_000);
      expect(Date.parse(s.ownerTask!.dueAt) - Date.parse(s.asks[0].at)).toBeLessThanOrEqual(10 * DAY);
      // One task in the CRM, mapped to HubSpot's task properties; three requests, one key (made a header value).
      const task = receiver.records.get(`tasks:${taskId}`)!;
      expect(task.keys).toEqual([headerSafeKey(taskId)]);
      expect(receiver.requests.filter((r) => r.label === 'owner-task').map((r) => r.status)).toEqual([503, 503, 200]);
      expect(new Set(receiver.requests.filter((r) => r.label === 'owner-task').map((r) => r.key))).toEqual(
        new Set([headerSafeKey(taskId)]),
      );
      expect(task.properties).toMatchObject({
        journey_task_id: taskId,
        hs_task_subject: '1:1 ask: reference call with Customer Inc',
        hs_timestamp: Date.parse(s.ownerTask!.dueAt),
        hs_task_status: 'NOT_STARTED',
        owner_email: 'jordan.lee@acme.example',
        journey_customer_id: customerId,
        journey_motion: 'reference-call',
      });
      expect(String(task.properties.hs_task_body)).toContain('Customer Inc');
      expect(s.stage).toBe('invite');
      expect(s.nextAction?.what).toContain("waiting for the owner's answer");

      await handle.signal(journeyEventSignal, event('owner_task.completed', customerId, { taskId, note: 'call booked' }));
      await env.sleep(HOUR);
      const done = await state(handle);
      expect(done.ownerTask).toMatchObject({ outcome: 'done', detail: 'call booked' });
      expect(done.stage).toBe('activate');
      expect(done.nextAction?.what).toContain('reference_call.completed');
    });
  }, 120_000);

  it('a declined case study falls back to a reference-call task (the plan), and no answer by the deadline ends the cycle', async () => {
    const plan = await shippedPlan(STRATEGIC);
    const h = await createHarness(env.nativeConnection, {
      client: env.client,
      scriptedSlots: true,
      crmWebhook: webhook(receiver, 'salesforce'),
    });
    await h.run(async () => {
      const customerId = 'decline-1';
      // Strategic with ARR ≥ 500k: a case study. No owner hours given: the invite's window in the owner's zone.
      const traits = account({ segment: 'strategic', arr: 900000, ownerWorkingHours: undefined, ownerTimezone: 'UTC' });
      const handle = await sendEvent(
        env.client,
        h,
        plan,
        customerId,
        event('qbr.completed', customerId, { sentiment: 'positive' }, { traits }),
      );
      // P3D, then the case study's window (tue-thu 10:00-16:00): at most 10 days whatever the weekday.
      await env.sleep(10 * DAY);
      const first = await state(handle);
      expect(first.ownerTask).toMatchObject({ motion: 'case-study' });
      expect(first.ownerTask!.outcome).toBeUndefined();
      const caseStudy = receiver.records.get(`Task:${first.ownerTask!.taskId}`)!;
      // Salesforce's Task: ActivityDate is a date.
      expect(caseStudy.properties).toMatchObject({
        Subject: '1:1 ask: case study with Customer Inc',
        Status: 'Not Started',
        Priority: 'High',
      });
      expect(caseStudy.properties.ActivityDate).toBe(first.ownerTask!.dueAt.slice(0, 10));

      await handle.signal(
        journeyEventSignal,
        event('owner_task.declined', customerId, { taskId: first.ownerTask!.taskId, reason: 'too busy' }),
      );
      await env.sleep(7 * DAY);
      const fallback = await state(handle);
      expect(fallback.motion).toBe('reference-call');
      expect(fallback.cycle).toBe(1);
      expect(fallback.ownerTask).toMatchObject({ motion: 'reference-call' });
      expect(fallback.ownerTask!.outcome).toBeUndefined();
      expect(fallback.notes.map((n) => n.text).join('\n')).toContain('the owner declined the task: falling back to reference-call');
      expect(receiver.records.has(`Task:${fallback.ownerTask!.taskId}`)).toBe(true);

      // Nobody answers the reference-call task within its 10 days: the cycle ends (re-entry allowed: cycle 2 listens).
      await env.sleep(11 * DAY);
      const after = await state(env.client.workflow.getHandle(journeyWorkflowId(STRATEGIC, customerId)));
      expect(after.stage).toBe('listen');
      expect(after.cycle).toBe(2);
      expect(after.history.cycles).toBe(1);
      expect(after.ownerTask).toMatchObject({ motion: 'reference-call', outcome: 'no-answer' });
      expect(h.slotRequests).toEqual([]);
      // Exactly two tasks for this customer, each created once.
      const mine = [...receiver.records.values()].filter((r) => r.object === 'Task' && r.id.includes(customerId));
      expect(mine.map((r) => r.keys.length)).toEqual([1, 1]);
    });
  }, 120_000);

  it('a CRM that refuses the task for good (422) is not retried: the run says so and listens again', async () => {
    const plan = await shippedPlan(STRATEGIC);
    const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true, crmWebhook: webhook(receiver) });
    receiver.rejectWith(422);
    try {
      await h.run(async () => {
        const customerId = 'refused-1';
        const before = receiver.requests.length;
        const handle = await sendEvent(
          env.client,
          h,
          plan,
          customerId,
          event('contract.renewed', customerId, { termMonths: 12 }, { traits: account({ ownerWorkingHours: undefined }) }),
        );
        await env.sleep(6 * DAY);
        const s = await state(handle);
        expect(receiver.requests.slice(before).map((r) => r.status)).toEqual([422]);
        expect(s.crmProblem).toMatchObject({ what: 'owner-task' });
        expect(s.crmProblem!.reason).toContain('CrmRejected');
        expect(s.stage).toBe('listen');
        expect(s.asks).toHaveLength(0);
      });
    } finally {
      receiver.rejectWith(undefined);
    }
  }, 120_000);

  it('referral stages reach the CRM as one record, once per stage, through failures (submitted, then closed won)', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    plan.definition.motions.referral.invite.firstAskDelay = 'PT1H';
    const h = await createHarness(env.nativeConnection, { client: env.client, scriptedSlots: true, crmWebhook: webhook(receiver) });
    await h.run(async () => {
      const customerId = 'advocate-1';
      const traits = {
        email: 'lee@advocate.example',
        firstName: 'Lee',
        lastName: 'Park',
        company: 'Advocate Co',
        healthScore: 95,
        segment: 'mid-market',
      };
      const handle = await sendEvent(env.client, h, plan, customerId, event('nps.submitted', customerId, { score: 10 }, { traits }));
      await env.sleep(3 * DAY);
      receiver.failNext(3);
      const submitted = {
        referralId: 'r-77',
        referredEmail: 'friend@prospect.example',
        referredName: 'Sam Friend',
        referredCompany: 'Prospect Ltd',
        referredRole: 'VP Sales',
        context: 'Evaluating tools this quarter',
        source: 'referral-page',
      };
      const referral = event('referral.submitted', customerId, submitted);
      await handle.signal(journeyEventSignal, referral);
      // The same event again (a retry upstream): taken once, so written once.
      await handle.signal(journeyEventSignal, referral);
      await env.sleep(HOUR);
      await handle.signal(
        journeyEventSignal,
        event('deal.closed_won', 'prospect-9', { referralId: 'r-77', referrerId: customerId, amount: 24000, currency: 'USD' }),
      );
      await env.sleep(2 * HOUR);
      const record = receiver.records.get('contacts:r-77')!;
      expect(record.keys).toEqual([
        `referral:nps-promoter-referral:${customerId}:r-77:submitted`,
        `referral:nps-promoter-referral:${customerId}:r-77:closed-won`,
      ]);
      const referralRequests = receiver.requests.filter((r) => r.label === 'referral');
      expect(referralRequests.map((r) => r.status)).toEqual([503, 503, 503, 200, 200]);
      expect(record.properties).toMatchObject({
        journey_referral_id: 'r-77',
        email: 'friend@prospect.example',
        firstname: 'Sam Friend',
        company: 'Prospect Ltd',
        jobtitle: 'VP Sales',
        hs_lead_status: 'CONNECTED',
        lifecyclestage: 'customer',
        referral_stage: 'closed-won',
        referral_source: 'Customer referral',
        referral_context: 'Evaluating tools this quarter',
        referred_by_customer_id: customerId,
        referred_by_email: 'lee@advocate.example',
        referral_journey: 'nps-promoter-referral',
        referral_amount: 24000,
      });
      expect(record.records[0]).toMatchObject({
        stage: 'submitted',
        source: { kind: 'advocacy-journey', journeyId: 'nps-promoter-referral', channel: 'referral-page' },
        advocate: { customerId, name: 'Lee Park', company: 'Advocate Co' },
      });
      expect(String((record.records[0] as { source: { referralCode?: string } }).source.referralCode ?? '')).not.toBe('');
      const s = await state(handle);
      expect(s.crmQueue ?? []).toEqual([]);
      expect(s.crmProblem).toBeUndefined();
    });
  }, 120_000);
});
