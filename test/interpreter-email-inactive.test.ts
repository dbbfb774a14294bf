// Postmark says the address is inactive (ErrorCode 406 → EmailInactiveRecipient): the run suppresses its email
// channel, says why in its state, and never asks again. Real postmark client over HTTP to test/postmark/server.ts.
import { journeyEventSignal } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { startFakePostmark, type FakePostmark } from './postmark/server.ts';
import {
  createTimeSkippingEnvWithSearchAttributes,
  createHarness,
  DAY,
  event,
  sendEvent,
  shippedPlan,
  state,
} from './interpreter/harness.ts';

const TOKEN = 'interp-token-9a7e';

describe('inactive recipient (time-skipping server, Postmark-compatible server)', () => {
  let env: TestWorkflowEnvironment;
  let postmark: FakePostmark;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
    postmark = await startFakePostmark({ serverTokens: [TOKEN], inactiveRecipients: ['gone@example.com'] });
  }, 60_000);
  afterAll(async () => {
    await postmark?.close();
    await env?.teardown();
  });

  it('an EmailInactiveRecipient failure suppresses the email channel: no further asks, the state says why', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { postmark: { serverToken: TOKEN, apiUrl: postmark.url } });
    await h.run(async () => {
      const traits = { email: 'gone@example.com', firstName: 'Gus', timezone: 'Europe/Berlin', healthScore: 90, segment: 'mid-market' };
      const handle = await sendEvent(env.client, h, plan, 'gone-1', event('nps.submitted', 'gone-1', { score: 10 }, { traits }));
      await env.sleep(5 * DAY);
      const sends = () => postmark.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/email'));
      expect(sends()).toHaveLength(1);
      expect(sends()[0].status).toBe(422);
      const s = await state(handle);
      expect(s.asks).toEqual([]);
      expect(s.suppression.emailChannel?.reason).toMatch(/^EmailInactiveRecipient: /);

      // A month later, and a fresh delight after the re-entry interval: still no ask by email.
      await env.sleep(100 * DAY);
      await handle.signal(journeyEventSignal, event('nps.submitted', 'gone-1', { score: 10 }));
      await env.sleep(30 * DAY);
      expect(sends()).toHaveLength(1);
      expect(postmark.accepted).toEqual([]);
      const later = await state(handle);
      expect(later.asks).toEqual([]);
      expect(later.history.asks).toBe(0);
      expect(later.suppression.emailChannel?.reason).toMatch(/^EmailInactiveRecipient: /);
    });
  });
});
