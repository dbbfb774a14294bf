// Activities of the 1:1 motion and the referral write-back: create the account owner's task, and write a referral's
// record at each stage. The provider is the worker's choice, never the workflow's: the CRM webhook
// (JOURNEY_CRM_WEBHOOK_URL, activities/crm/webhook-provider.ts) or the built-in default, which emails the task to the
// owner (Postmark or the outbox, as every email). Without a CRM a referral's record is written nowhere: its stages
// are already in the tracking log and on the advocate's status page, and a second, unread store under the data
// folder would be a CRM the user never asked for.
import { ApplicationFailure } from '@temporalio/common';
import {
  CRM_FAILURE,
  EMAIL_FAILURE,
  type OwnerTaskRequest,
  type OwnerTaskResult,
  type ReferralRecordRequest,
  type ReferralRecordResult,
} from '../../workflows/contract/index.ts';
import { createEmailActivities, type EmailDeps } from '../email/index.ts';
import { unsubscribeSettingsFromEnv } from '../email/unsubscribe-link.ts';
import { ownerTaskLinks, withOwnerTaskLinks } from './owner-task-link.ts';
import { ownerTaskFields, mapProperties, referralFields } from './map-record.ts';
import { postCrmWebhook, type CrmWebhookConfig } from './webhook-provider.ts';

export interface CrmDeps {
  /** The owner's email (default provider): the worker's email settings. */
  email: EmailDeps;
  /** Present: the CRM webhook provider; absent: owner tasks by email, no referral records. */
  webhook?: CrmWebhookConfig;
}

export function createCrmActivities(deps: CrmDeps) {
  // The owner is not the customer: a bounce of the owner's address must not suppress the customer's email in
  // every journey, and a task to the owner is no send to the customer (contact history, cap): no hooks.
  const { onRecipientSuppressed: _s, onSent: _r, ...ownerEmailDeps } = deps.email;
  const ownerEmail = createEmailActivities(ownerEmailDeps);
  // The Done / Decline links go to the API's public URL, signed with the secret the unsubscribe links use: in the
  // owner's email (built-in provider) and in the CRM task (webhook provider), so an owner working in either can answer.
  const links = deps.email.unsubscribe ?? unsubscribeSettingsFromEnv({ JOURNEY_EMAIL_FROM: deps.email.from });

  async function emailTheOwner(req: OwnerTaskRequest): Promise<OwnerTaskResult> {
    let sent: Awaited<ReturnType<typeof ownerEmail.sendEmail>>;
    try {
      sent = await ownerEmail.sendEmail(withOwnerTaskLinks(req, ownerTaskLinks(req, links)).email);
    } catch (err) {
      const type = err instanceof ApplicationFailure ? err.type : undefined;
      if (type === EMAIL_FAILURE.inactiveRecipient || type === EMAIL_FAILURE.invalidAddress) {
        const why = (err as Error).message;
        throw ApplicationFailure.nonRetryable(`the owner's address cannot receive the task: ${why}`, CRM_FAILURE.ownerUnreachable);
      }
      throw err;
    }
    // The email's own idempotency (the outbox's link, the Postmark ledger) says whether this attempt created it.
    return { taskId: req.taskId, provider: 'email', status: sent.status === 'sent' ? 'created' : 'already-created' };
  }

  return {
    /** Creates the owner's task once per taskId (a retry, or an earlier run, finds it created). */
    async createOwnerTask(req: OwnerTaskRequest): Promise<OwnerTaskResult> {
      if (!deps.webhook) return emailTheOwner(req);
      const { mapping, crm } = deps.webhook;
      // The task's body is the owner email rendered with the same links, so the CRM's description carries them too.
      const taskLinks = ownerTaskLinks(req, links);
      const outcome = await postCrmWebhook(deps.webhook, req.taskId, {
        kind: 'owner-task',
        crm,
        object: mapping.ownerTask.object,
        idProperty: mapping.ownerTask.idProperty,
        id: req.taskId,
        properties: mapProperties(mapping.ownerTask, ownerTaskFields(withOwnerTaskLinks(req, taskLinks), taskLinks)),
        record: { ...withoutEmail(req), links: taskLinks },
      });
      return { taskId: req.taskId, provider: 'crm-webhook', status: outcome.alreadyProcessed ? 'already-created' : 'created' };
    },

    /** Writes one stage of a referral's record (upsert by referralId), once per idempotencyKey. */
    async writeReferralRecord(req: ReferralRecordRequest): Promise<ReferralRecordResult> {
      if (!deps.webhook) return { provider: 'none', status: 'no-crm' };
      const { mapping, crm } = deps.webhook;
      const outcome = await postCrmWebhook(deps.webhook, req.idempotencyKey, {
        kind: 'referral',
        crm,
        object: mapping.referral.object,
        idProperty: mapping.referral.idProperty,
        id: req.referralId,
        stage: req.stage,
        properties: mapProperties(mapping.referral, referralFields(req)),
        record: req,
      });
      return { provider: 'crm-webhook', status: outcome.alreadyProcessed ? 'already-written' : 'written' };
    },
  };
}

function withoutEmail(req: OwnerTaskRequest): Omit<OwnerTaskRequest, 'email'> {
  const { email: _email, ...rest } = req;
  return rest;
}
