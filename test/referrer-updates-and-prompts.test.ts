// Issue 19, parts 3 and 6, on the time-skipping server with a real worker, the real email activity (outbox) and
// the real tracking log: referrer updates go through the contact policy and out once; in-product prompts go up
// with their ask and come down the moment a bad signal arrives.
import { handOverUpdate, journeyEventSignal, journeyPromptsQuery } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import {
  createHarness,
  createTimeSkippingEnvWithSearchAttributes,
  DAY,
  event,
  HOUR,
  nextUtc,
  sendEvent,
  state,
} from './interpreter/harness.ts';
import { compileOrThrow, promptingJourney } from './prompts/journey.ts';
import { recordHistory } from './interpreter/record-history.ts';

const traits = { email: 'pat@example.com', firstName: 'Pat', timezone: 'America/New_York', healthScore: 90 };

describe('referrer updates and in-product prompts (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  /** To the next Monday 15:00Z (10:00 in New York in winter): the first ask (P2D later) falls on a Wednesday morning. */
  async function toMondayMorning() {
    const t = nextUtc(await env.currentTimeMs(), 1, 15);
    await env.sleep(t - (await env.currentTimeMs()));
  }

  it('a referrer update refused by the contact cap is moved to the time the policy names and sent once then', async () => {
    const plan = compileOrThrow(promptingJourney());
    const h = await createHarness(env.nativeConnection);
    let refusedUntil = 0;
    h.slotPolicy = (req) => {
      if (!req.sendKey.includes(':referrer-update:')) return { granted: true };
      // The first reservation is refused by the cap (as customer:<id> answers); the next one, at that time, is granted.
      if (refusedUntil === 0) {
        refusedUntil = Date.parse(req.at) + 3 * DAY;
        return { granted: false, retryAt: new Date(refusedUntil).toISOString(), reason: 'global cap: 1 ask(s) per 168h across journeys' };
      }
      return Date.parse(req.at) >= refusedUntil ? { granted: true } : { granted: false, retryAt: new Date(refusedUntil).toISOString() };
    };
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'ru-1', event('nps.submitted', 'ru-1', { score: 10 }, { traits }));
      await env.sleep(2 * DAY + HOUR);
      expect(await h.outbox()).toHaveLength(1); // the ask
      await handle.signal(
        journeyEventSignal,
        event('referral.submitted', 'ru-1', { referralId: 'R-1', referredEmail: 'lee@beta.example', referredName: 'Lee' }),
      );
      await handle.signal(journeyEventSignal, event('referral.qualified', 'ru-2', { referralId: 'R-1', referrerId: 'ru-1' }));
      await env.sleep(HOUR);
      const updateKey = `${handle.workflowId}:referrer-update:R-1:qualified`;
      const updates = async () => (await h.outbox()).filter((m) => m.sendKey === updateKey);
      expect(await updates()).toHaveLength(0);
      expect(refusedUntil).toBeGreaterThan(0);
      // A second qualified event for the same referral (another id) queues nothing more.
      await handle.signal(journeyEventSignal, event('referral.qualified', 'ru-2', { referralId: 'R-1', referrerId: 'ru-1' }));
      await env.sleep(2 * DAY);
      expect(await updates()).toHaveLength(0);
      await env.sleep(2 * DAY);
      const sent = await updates();
      expect(sent).toHaveLength(1);
      expect(sent[0].subject).toBe('Your referral is moving');
      expect(JSON.stringify(sent[0].message)).toContain('(Lee)');
      // Two reservations for the update: the refused one, then the next key at the time the policy named.
      const reservations = h.slotRequests.filter((r) => r.sendKey.startsWith(updateKey));
      expect(reservations.map((r) => r.sendKey)).toEqual([updateKey, `${updateKey}:slot-1`]);
      expect(Date.parse(reservations[1].at)).toBeGreaterThanOrEqual(refusedUntil);
      await env.sleep(10 * DAY);
      expect(await updates()).toHaveLength(1);
      const { records } = await readTrackingLog(h.dataDir);
      const mine = records.filter((r) => r.customerId === 'ru-1');
      const moved = mine.filter((r) => r.type === 'referrer_update.moved');
      expect(moved).toHaveLength(1);
      expect(moved[0].data).toMatchObject({ referralId: 'R-1', stage: 'qualified', to: new Date(refusedUntil).toISOString() });
      const sentRecords = mine.filter((r) => r.type === 'referrer_update.sent');
      expect(sentRecords).toHaveLength(1);
      // Sent at the time the policy named (workflow time), not before.
      expect(Date.parse(sentRecords[0].at)).toBeGreaterThanOrEqual(refusedUntil);
      expect(sentRecords[0].data).toMatchObject({ referralId: 'R-1', stage: 'qualified', sendKey: updateKey, status: 'sent' });
      expect((await state(handle)).referrerUpdates?.done).toEqual(['R-1:qualified']);
      await recordHistory('referrer-update-moved-by-cap', handle);
    });
  });

  it('a referrer update moved by the cap survives a handover to a fresh history and goes out once, at the time the policy named', async () => {
    const plan = compileOrThrow(promptingJourney());
    const h = await createHarness(env.nativeConnection);
    let refusedUntil = 0;
    h.slotPolicy = (req) => {
      if (!req.sendKey.includes(':referrer-update:')) return { granted: true };
      refusedUntil ||= Date.parse(req.at) + 4 * DAY;
      return Date.parse(req.at) >= refusedUntil ? { granted: true } : { granted: false, retryAt: new Date(refusedUntil).toISOString() };
    };
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'ru-ho', event('nps.submitted', 'ru-ho', { score: 10 }, { traits }));
      await env.sleep(2 * DAY + HOUR);
      await handle.signal(journeyEventSignal, event('referral.submitted', 'ru-ho', { referralId: 'R-2', referredEmail: 'jo@eps.example' }));
      await handle.signal(journeyEventSignal, event('referral.qualified', 'x', { referralId: 'R-2', referrerId: 'ru-ho' }));
      await env.sleep(HOUR);
      // The advocate acted: the prompt of the ask is down already.
      expect(await handle.query(journeyPromptsQuery)).toEqual([]);
      const before = await env.client.workflow.getHandle(handle.workflowId).describe();
      await env.client.workflow.getHandle(handle.workflowId).executeUpdate(handOverUpdate, { args: [{ actor: 'test' }] });
      await env.sleep(HOUR);
      const after = await env.client.workflow.getHandle(handle.workflowId).describe();
      expect(after.runId).not.toBe(before.runId);
      const carried = await state(env.client.workflow.getHandle(handle.workflowId));
      expect(carried.referrerUpdates?.queue.map((u) => [u.key, u.notBefore])).toEqual([
        ['R-2:qualified', new Date(refusedUntil).toISOString()],
      ]);
      await env.sleep(5 * DAY);
      const updates = (await h.outbox()).filter((m) => m.sendKey.endsWith(':referrer-update:R-2:qualified'));
      expect(updates).toHaveLength(1);
      expect(h.slotRequests.filter((r) => r.sendKey.includes(':referrer-update:R-2:')).map((r) => r.sendKey.split(':').pop())).toEqual([
        'qualified',
        'slot-1',
      ]);
    });
  });

  it('an update turned off in the journey is not sent, while one turned on is', async () => {
    const plan = compileOrThrow(promptingJourney());
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'ru-off', event('nps.submitted', 'ru-off', { score: 10 }, { traits }));
      await env.sleep(2 * DAY + HOUR);
      await handle.signal(
        journeyEventSignal,
        event('referral.submitted', 'ru-off', { referralId: 'R-9', referredEmail: 'sam@gamma.example' }),
      );
      await handle.signal(journeyEventSignal, event('referral.qualified', 'x', { referralId: 'R-9', referrerId: 'ru-off' }));
      await handle.signal(journeyEventSignal, event('deal.closed_won', 'x', { referralId: 'R-9', referrerId: 'ru-off', amount: 12000 }));
      await env.sleep(3 * DAY);
      const keys = (await h.outbox()).map((m) => m.sendKey);
      expect(keys).toContain(`${handle.workflowId}:referrer-update:R-9:qualified`);
      expect(keys.filter((k) => k.includes(':referrer-update:R-9:closed-won'))).toEqual([]);
      expect(h.slotRequests.filter((r) => r.sendKey.includes('closed-won'))).toEqual([]);
      const s = await state(handle);
      expect(s.referrerUpdates?.done).toContain('R-9:closed-won');
      expect(s.notes.map((n) => n.text)).toContain('referrer update closed-won for R-9 not sent: turned off in the journey');
    });
  });

  it("with customer:<id>'s real contact policy (1 ask per 7 days) the qualified and reward-issued updates each wait for a slot, and go out once", async () => {
    const plan = compileOrThrow(
      promptingJourney((d) => {
        d.track.referrerUpdates['reward-issued'] = {
          template: { file: 'templates/referral-won-update.mustache', subject: 'Your reward is paid' },
        };
        delete d.motions.referral.reward.thankYou; // the update is the advocate's one email about the payout
      }),
    );
    const h = await createHarness(env.nativeConnection, { client: env.client });
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'ru-real', event('nps.submitted', 'ru-real', { score: 10 }, { traits }));
      await env.sleep(2 * DAY + HOUR);
      const askAt = Date.parse((await state(handle)).asks[0].at);
      await handle.signal(
        journeyEventSignal,
        event('referral.submitted', 'ru-real', { referralId: 'R-5', referredEmail: 'kim@delta.example' }),
      );
      await handle.signal(journeyEventSignal, event('referral.qualified', 'x', { referralId: 'R-5', referrerId: 'ru-real' }));
      await handle.signal(journeyEventSignal, event('deal.closed_won', 'x', { referralId: 'R-5', referrerId: 'ru-real', amount: 9000 }));
      await env.sleep(30 * DAY);
      const key = (stage: string) => `${handle.workflowId}:referrer-update:R-5:${stage}`;
      const keys = (await h.outbox()).map((m) => m.sendKey);
      expect(keys.filter((k) => k === key('qualified'))).toHaveLength(1);
      expect(keys.filter((k) => k === key('reward-issued'))).toHaveLength(1);
      const { records } = await readTrackingLog(h.dataDir);
      const mine = records.filter((r) => r.customerId === 'ru-real');
      const sentAt = (stage: string) => Date.parse(mine.find((r) => r.type === 'referrer_update.sent' && r.data?.stage === stage)!.at);
      // The global cap (1 per 7 days) held each one a week after the previous message's slot (taken a moment before
      // that message was recorded as sent).
      const slack = 60_000;
      expect(sentAt('qualified')).toBeGreaterThanOrEqual(askAt + 7 * DAY - slack);
      expect(sentAt('reward-issued')).toBeGreaterThanOrEqual(sentAt('qualified') + 7 * DAY - slack);
      expect(mine.filter((r) => r.type === 'referrer_update.moved').map((r) => r.data?.stage)).toEqual(['qualified', 'reward-issued']);
      expect(mine.filter((r) => r.type === 'reward.issued' && r.data?.role === 'referrer')).toHaveLength(1);
    });
  });

  it('a prompt goes up with its ask, and is withdrawn at once when an escalation opens', async () => {
    const plan = compileOrThrow(promptingJourney());
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'pr-1', event('nps.submitted', 'pr-1', { score: 10 }, { traits }));
      expect(await handle.query(journeyPromptsQuery)).toEqual([]);
      await env.sleep(2 * DAY + HOUR);
      expect(await h.outbox()).toHaveLength(1); // beside the email
      const [prompt] = await handle.query(journeyPromptsQuery);
      expect(prompt).toMatchObject({ id: 'prompting-referral/1/referral/1', journeyId: 'prompting-referral', motion: 'referral' });
      expect(prompt.text).toBe("Pat, know a team who'd love Acme?");
      expect(prompt.actionLabel).toBe('Refer a team');
      expect(prompt.actionLink).toMatch(/^https:\/\/acme\.example\/refer\?code=/);
      // Until Activate's timeout (P21D from the first ask).
      expect(Date.parse(prompt.expiresAt) - Date.parse(prompt.postedAt)).toBe(21 * DAY);
      const ids = { promptId: prompt.id, journeyId: prompt.journeyId };
      await handle.signal(journeyEventSignal, event('prompt.shown', 'pr-1', { ...ids, surface: 'dashboard' }));
      await handle.signal(journeyEventSignal, event('prompt.clicked', 'pr-1', ids));
      await env.sleep(HOUR);
      await handle.signal(journeyEventSignal, event('escalation.opened', 'pr-1', { escalationId: 'E-1', severity: 'high' }));
      await env.sleep(1000);
      expect(await handle.query(journeyPromptsQuery)).toEqual([]);
      // The reminder does not go up while the escalation is open, in the product or by email.
      await env.sleep(7 * DAY);
      expect(await handle.query(journeyPromptsQuery)).toEqual([]);
      expect(await h.outbox()).toHaveLength(1);
      const { records } = await readTrackingLog(h.dataDir);
      const types = records.filter((r) => r.customerId === 'pr-1').map((r) => r.type);
      expect(types).toEqual(expect.arrayContaining(['prompt.posted', 'prompt.shown', 'prompt.clicked', 'ask.engaged', 'prompt.withdrawn']));
      const withdrawn = records.find((r) => r.customerId === 'pr-1' && r.type === 'prompt.withdrawn');
      expect(withdrawn?.data).toMatchObject({ promptId: prompt.id });
      expect(String(withdrawn?.data?.reason)).toContain('open-escalation');
      const engaged = records.find((r) => r.customerId === 'pr-1' && r.type === 'ask.engaged');
      expect(engaged?.data).toMatchObject({ channel: 'in-product', promptId: prompt.id, attempt: 1 });
      await recordHistory('prompt-withdrawn-on-escalation', handle);
    });
  });

  it('an ask delivered only in-product sends no email, reserves its contact slot, and is withdrawn on opt-out', async () => {
    const plan = compileOrThrow(
      promptingJourney((def) => {
        def.motions.referral.invite.channels = ['in-product'];
      }),
    );
    const h = await createHarness(env.nativeConnection);
    await h.run(async () => {
      await toMondayMorning();
      const handle = await sendEvent(env.client, h, plan, 'pr-only', event('nps.submitted', 'pr-only', { score: 9 }, { traits }));
      await env.sleep(2 * DAY + HOUR);
      expect(await h.outbox()).toHaveLength(0);
      const s = await state(handle);
      expect(s.asks.map((a) => a.channel)).toEqual(['in-product']);
      expect(h.slotRequests.map((r) => r.sendKey)).toEqual([s.asks[0].sendKey]);
      expect(await handle.query(journeyPromptsQuery)).toHaveLength(1);
      await handle.signal(journeyEventSignal, event('customer.opted_out', 'pr-only', { source: 'settings' }));
      await env.sleep(1000);
      expect(await handle.query(journeyPromptsQuery)).toEqual([]);
      const { records } = await readTrackingLog(h.dataDir);
      const withdrawn = records.filter((r) => r.customerId === 'pr-only' && r.type === 'prompt.withdrawn');
      expect(withdrawn).toHaveLength(1);
      expect(String(withdrawn[0].data?.reason)).toContain('opted');
    });
  });
});
