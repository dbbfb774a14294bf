// The real worker process (worker/main.ts) on the dev server, sending through the real postmark client to the
// Postmark-compatible server (which answers 429 twice) and paying through the reward webhook receiver (which refuses
// for good with 422): its output holds no customer id (ids are often email addresses), neither in the email
// activity's lines (a send key embeds the workflow id) nor in the SDK's; and the payout that ended for good is
// counted on its Prometheus endpoint (journey_activity_failures, retryable="false"), where operators alert on it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNEY_WORKFLOW_TYPE, journeyEventSignal, journeyWorkflowId, type JourneyRunInput } from '../workflows/contract/index.ts';
import { connectDevServer, uniqueTaskQueue } from './support/temporal.ts';
import { startFakePostmark } from './postmark/server.ts';
import { startRewardReceiver } from './rewards/receiver.ts';
import { freePort } from '../scripts/dev-server.ts';
import { event, shippedPlan } from './interpreter/harness.ts';
import { customerRef } from '../activities/log-redaction.ts';
import { waitFor } from './support/wait.ts';
import { runNode, startScript } from './support/run-node.ts';
import { CONTACT_POLICY_FILE } from '../definitions/contact-policy.ts';

/** The shipped contact policy without quiet hours: the run's first ask goes out at once on the wall clock, at any hour the suite runs. */
function policyWithoutQuietHours(): string {
  const { $schema: _schema, ...policy } = JSON.parse(readFileSync(CONTACT_POLICY_FILE, 'utf8')) as Record<string, unknown>;
  const path = join(mkdtempSync(join(tmpdir(), 'worker-policy-')), 'policy.json');
  writeFileSync(path, JSON.stringify({ ...policy, quietHours: null }));
  return path;
}

describe('the worker process under provider faults (dev server, Postmark-compatible server, reward receiver)', () => {
  it('logs neither the customer id nor the send key, only a digest; a payout refused for good is counted for alerts', async () => {
    const temporal = await connectDevServer();
    const postmark = await startFakePostmark({ serverTokens: ['log-token'] });
    const receiver = await startRewardReceiver('worker-secret');
    receiver.rejectWith(422);
    const metricsPort = await freePort();
    const taskQueue = uniqueTaskQueue('logs');
    const customer = `ada.lovelace+${Date.now().toString(36)}@example.com`;
    postmark.injectFault({ kind: 'error', status: 429, errorCode: 0, message: 'Rate limit exceeded' });
    postmark.injectFault({ kind: 'error', status: 429, errorCode: 0, message: 'Rate limit exceeded' });
    const worker = startScript('worker/main.ts', {
      ...temporal.envFor('worker'),
      JOURNEY_TASK_QUEUE: taskQueue,
      JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'worker-logs-')),
      JOURNEY_LOG_LEVEL: 'INFO',
      POSTMARK_SERVER_TOKEN: 'log-token',
      POSTMARK_API_URL: postmark.url,
      JOURNEY_PUBLIC_URL: 'https://journeys.example.com',
      JOURNEY_UNSUBSCRIBE_SECRET: 'worker-process-unsubscribe-secret',
      // Production mode refuses to start without payload encryption (definitions/production-mode.ts).
      JOURNEY_CODEC_KEYS: `wp1:${Buffer.alloc(32, 3).toString('base64')}`,
      JOURNEY_REWARD_WEBHOOK_URL: receiver.url,
      JOURNEY_REWARD_WEBHOOK_SECRET: 'worker-secret',
      JOURNEY_WORKER_METRICS_PORT: String(metricsPort),
      JOURNEY_CONTACT_POLICY: policyWithoutQuietHours(),
    });
    try {
      await waitFor('the worker polling', () => (worker.output().includes('polling task queue') ? true : undefined), 60_000, 200);
      // A plan whose first ask goes out at once, in any hour: the shipped journey with a zero delay and an all-day window
      // (neither the journey's policy nor the worker's has quiet hours: the test failed every night, 20:00-08:00 New York, with them).
      const plan = await shippedPlan('nps-promoter-referral');
      const invite = plan.definition.motions.referral.invite;
      invite.firstAskDelay = 'PT0S';
      invite.sendWindow = { ...invite.sendWindow, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' };
      if (plan.definition.contactPolicy) delete plan.definition.contactPolicy.quietHours;
      const input: JourneyRunInput = { plan, customerId: customer };
      const workflowId = journeyWorkflowId(plan.journeyId, customer);
      await temporal.client.workflow.signalWithStart(JOURNEY_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        args: [input],
        signal: journeyEventSignal,
        signalArgs: [event('nps.submitted', customer, { score: 10 }, { traits: { email: customer, firstName: 'Ada', healthScore: 90 } })],
      });
      await waitFor('the ask accepted after two 429s', () => (postmark.accepted.length > 0 ? true : undefined), 90_000, 500);
      await new Promise((r) => setTimeout(r, 500)); // the lines of the successful attempt
      const sendKey = `${workflowId}:1:invite:referral:1`; // (Postmark's Metadata holds a digest of a key this long)
      // The worker said something about the failed attempts, with the journey and the customer's digest.
      expect(worker.output()).toMatch(/Postmark send failed, Temporal will retry/);

      // A referral that converts at once (release on conversion): its payout meets a 422 and ends, not retried.
      const run = temporal.client.workflow.getHandle(workflowId);
      await run.signal(
        journeyEventSignal,
        event('referral.submitted', customer, { referralId: 'w-1', referredEmail: 'friend@other.example' }),
      );
      await run.signal(journeyEventSignal, event('deal.closed_won', customer, { referralId: 'w-1', referrerId: customer, amount: 900 }));
      const metric = await waitFor(
        'the refused payout on /metrics',
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
          return /journey_activity_failures\w*\{[^}]*activity="issueReward"[^}]*retryable="false"[^}]*\} [1-9]/.test(text)
            ? text
            : undefined;
        },
        60_000,
        500,
      );
      expect(metric).toMatch(/failure="RewardRejected"/);
      const issues = receiver.requests.filter((r) => r.label === 'issue');
      expect(new Set(issues.map((r) => r.key)).size).toBe(issues.length); // each payout tried once: not retried
      await new Promise((r) => setTimeout(r, 500));
      expect(worker.output()).toContain(`journey:nps-promoter-referral:${customerRef(`${customer}:1:invite:referral:1`)}`);
      for (const secret of [customer, customer.split('@')[0], sendKey]) expect(worker.output()).not.toContain(secret);
      await temporal.client.workflow.getHandle(workflowId).terminate('test over');
      for (const id of [customer, 'friend@other.example'])
        await temporal.client.workflow
          .getHandle(`customer:${id}`)
          .terminate('test over')
          .catch(() => undefined);
    } finally {
      worker.child.kill('SIGINT');
      await worker.exited;
      await postmark.close();
      await receiver.close();
      await temporal.close();
    }
  });

  it('refuses to start for real sending without a public https URL for the unsubscribe links, naming the variable', async () => {
    const run = (extra: Record<string, string>) =>
      runNode(['--import', 'tsx', 'worker/main.ts'], { POSTMARK_SERVER_TOKEN: 'tok', JOURNEY_DEV_MODE: '', ...extra });
    const missing = await run({ JOURNEY_PUBLIC_URL: '' });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('worker: JOURNEY_PUBLIC_URL is not set');
    const plain = await run({ JOURNEY_PUBLIC_URL: 'http://journeys.example.com', JOURNEY_UNSUBSCRIBE_SECRET: 'x'.repeat(20) });
    expect(plain.output).toContain('must be an https URL');
  });
});
