// A one-step workflow for the email tests: runs the real sendEmail activity in a real worker, so
// Temporal's own retries (with the policy below) exercise the no-duplicate lookup.
import type { SendEmailRequest, SendEmailResult } from '../../workflows/contract/index.ts';
import { proxyActivities } from '@temporalio/workflow';
import type { createEmailActivities } from '../../activities/email/index.ts';

const { sendEmail } = proxyActivities<ReturnType<typeof createEmailActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 milliseconds', backoffCoefficient: 2, maximumInterval: '1 second', maximumAttempts: 8 },
});

export async function sendEmailWorkflow(req: SendEmailRequest): Promise<SendEmailResult> {
  return sendEmail(req);
}
