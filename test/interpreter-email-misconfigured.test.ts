// Postmark says the email setup is broken (401, a bad server token → EmailConfigurationError): the ask is not
// dropped. The run says "email misconfigured" in its state and current details and tries the same ask again later;
// once the setup works, the first-ask template goes out, once. Real postmark client over HTTP to test/postmark/server.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './support/temporal.ts';
import { startFakePostmark, type FakePostmark } from './postmark/server.ts';
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

/** What Temporal's built-in __temporal_workflow_metadata query answers (the part these checks read). */
type WorkflowMetadata = { currentDetails?: string | null };

const TOKEN = 'interp-token-c0nf';

describe('email misconfigured (time-skipping server, Postmark-compatible server)', () => {
  let env: TestWorkflowEnvironment;
  let postmark: FakePostmark;
  beforeAll(async () => {
    env = await createTimeSkippingEnvWithSearchAttributes(createTimeSkippingEnv);
    postmark = await startFakePostmark({ serverTokens: [TOKEN] });
  }, 60_000);
  afterAll(async () => {
    await postmark?.close();
    await env?.teardown();
  });

  it('an EmailConfigurationError keeps the ask: the state and current details say "email misconfigured", and the ask goes out once the setup works', async () => {
    const plan = await shippedPlan('nps-promoter-referral');
    const h = await createHarness(env.nativeConnection, { postmark: { serverToken: TOKEN, apiUrl: postmark.url } });
    await h.run(async () => {
      await env.sleep(nextUtc(await env.currentTimeMs(), 1, 15) - (await env.currentTimeMs()));
      const traits = { email: 'conf@example.com', firstName: 'Con', timezone: 'America/New_York', healthScore: 90, segment: 'mid-market' };
      // The first two sends meet Postmark's answer to a bad token (as after a rotated POSTMARK_SERVER_TOKEN).
      postmark.injectFault({ kind: 'error', status: 401, errorCode: 10, message: 'Request does not contain a valid Server token.' });
      postmark.injectFault({ kind: 'error', status: 401, errorCode: 10, message: 'Request does not contain a valid Server token.' });
      const handle = await sendEvent(env.client, h, plan, 'conf-1', event('nps.submitted', 'conf-1', { score: 10 }, { traits }));
      await env.sleep(2 * DAY + 30 * 60_000);
      const sends = () => postmark.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/email'));
      expect(sends().map((r) => r.status)).toEqual([401]);
      const failing = await state(handle);
      expect(failing.stage).toBe('invite');
      expect(failing.asks).toEqual([]);
      expect(failing.emailProblem).toMatchObject({
        kind: 'misconfigured',
        failures: 1,
        sendKey: 'journey:nps-promoter-referral:conf-1:1:invite:referral:1',
      });
      expect(failing.emailProblem?.reason).toMatch(/^EmailConfigurationError: /);
      expect(failing.nextAction?.what).toContain('again: email misconfigured');
      const meta = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      expect(meta.currentDetails).toMatch(/^- email misconfigured: EmailConfigurationError: .* · 1 failed try · trying again at /m);

      // Tried again after an hour (fails), then after two more (accepted): the same send key, the first-ask template.
      await env.sleep(4 * HOUR);
      expect(sends().map((r) => r.status)).toEqual([401, 401, 200]);
      expect(postmark.accepted).toHaveLength(1);
      const s = await state(handle);
      expect(s.asks).toHaveLength(1);
      expect(s.asks[0]).toMatchObject({
        attempt: 1,
        template: 'templates/referral-invite.mustache',
        sendKey: failing.emailProblem?.sendKey,
        status: 'sent',
      });
      expect(s.emailProblem).toBeUndefined();
      expect(s.notes.map((n: { text: string }) => n.text).join('\n')).toMatch(
        /invite #1, template templates\/referral-invite\.mustache sent after 2 failed tries/,
      );
      const after = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      expect(after.currentDetails).not.toContain('email misconfigured');
      await recordHistory('email-misconfigured-retries', handle);
    });
  });
});
