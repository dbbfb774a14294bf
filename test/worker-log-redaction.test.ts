// The worker's output holds no customer id (ids are often email addresses): not in the email activity's lines about
// a send (its key embeds the workflow id), not in the SDK's lines about failed attempts. The real worker process
// (worker/main.ts) on the dev server, sending through the real postmark client to the Postmark-compatible server,
// which answers 429 twice so that both the email activity and the SDK have something to say.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNEY_WORKFLOW_TYPE, journeyEventSignal, journeyWorkflowId, type JourneyRunInput } from '../workflows/contract/index.ts';
import { connectDevServer, uniqueTaskQueue } from './support/temporal.ts';
import { startFakePostmark } from './postmark/server.ts';
import { event, shippedPlan } from './interpreter/harness.ts';
import { customerRef } from '../activities/log-redaction.ts';
import { waitFor } from './support/wait.ts';

describe('worker logs (worker process, dev server, Postmark-compatible server)', () => {
  it('carry neither the customer id nor the send key, only the journey and a digest of the customer', async () => {
    const temporal = await connectDevServer();
    const postmark = await startFakePostmark({ serverTokens: ['log-token'] });
    const taskQueue = uniqueTaskQueue('logs');
    const customer = `ada.lovelace+${Date.now().toString(36)}@example.com`;
    postmark.injectFault({ kind: 'error', status: 429, errorCode: 0, message: 'Rate limit exceeded' });
    postmark.injectFault({ kind: 'error', status: 429, errorCode: 0, message: 'Rate limit exceeded' });
    const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        JOURNEY_TASK_QUEUE: taskQueue,
        JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'worker-logs-')),
        JOURNEY_LOG_LEVEL: 'INFO',
        POSTMARK_SERVER_TOKEN: 'log-token',
        POSTMARK_API_URL: postmark.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout!.on('data', (c) => (output += c));
    worker.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
    try {
      await waitFor('the worker polling', () => (output.includes('polling task queue') ? true : undefined), 60_000, 200);
      // A plan whose first ask goes out at once, in any hour: the shipped journey with a zero delay and an all-day window.
      const plan = await shippedPlan('nps-promoter-referral');
      const invite = plan.definition.motions.referral.invite;
      invite.firstAskDelay = 'PT0S';
      invite.sendWindow = { ...invite.sendWindow, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' };
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
      expect(output).toMatch(/Postmark send failed, Temporal will retry/);
      expect(output).toContain(`journey:nps-promoter-referral:${customerRef(`${customer}:1:invite:referral:1`)}`);
      for (const secret of [customer, customer.split('@')[0], sendKey]) expect(output).not.toContain(secret);
      await temporal.client.workflow.getHandle(workflowId).terminate('test over');
      await temporal.client.workflow
        .getHandle(`customer:${customer}`)
        .terminate('test over')
        .catch(() => undefined);
    } finally {
      worker.kill('SIGINT');
      await exited;
      await postmark.close();
      await temporal.close();
    }
  });
});
