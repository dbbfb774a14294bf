// Every activity the worker registers, built from injected dependencies so tests can swap them.
// Each area owns its own factory: email (activities/email), journey effects (activities/journey).
import { ACTIVITY_FAILURE } from '../workflows/contract/index.ts';
import { writeToOutbox, type OutboxMessage } from './outbox.ts';
import { createEmailActivities, emailDepsFromEnv, type EmailDeps } from './email/index.ts';
import { ApplicationFailure } from '@temporalio/common';
import { createContactActivities } from './contact/reserve-contact-slot.ts';
import { createAdvocateScoreActivities } from './contact/advocate-score.ts';
import { createStartFactsActivities } from './contact/start-facts.ts';
import type { CustomerWorkflowDeps } from './contact/customer-update.ts';
import { suppressRecipientInEveryJourney } from './contact/recipient-suppressed.ts';
import { createRewardActivities } from './rewards/reward-activities.ts';
import { rewardWebhookFromEnv, type RewardWebhookConfig } from './rewards/webhook-provider.ts';
import { createCrmActivities } from './crm/crm-activities.ts';
import { crmWebhookFromEnv, type CrmWebhookConfig } from './crm/webhook-provider.ts';
import { createTrackingActivities, trackingDepsFromEnv, type TrackingDeps } from './tracking/tracking-activities.ts';

export interface ActivityDeps {
  /** Where the embedded defaults keep their files: outbox, tracking log. */
  dataDir: string;
  /** Email transport and hooks; default: from the environment (POSTMARK_SERVER_TOKEN, else the outbox in dataDir). */
  email?: EmailDeps;
  /** A Temporal client and the customer workflows' task queue: reserveContactSlot and the reward ledger update customer:<id>. */
  customers?: CustomerWorkflowDeps;
  /** Reward webhook; default: from JOURNEY_REWARD_WEBHOOK_URL / _SECRET, else the built-in ledger alone. Pass null for the ledger. */
  rewardWebhook?: RewardWebhookConfig | null;
  /** Tracking sinks; default: the NDJSON log in dataDir (+ JOURNEY_TRACKING_WEBHOOK_URL). */
  tracking?: TrackingDeps;
  /** CRM webhook for owner tasks and referral records; default: from JOURNEY_CRM_WEBHOOK_URL / _SECRET / JOURNEY_CRM,
   *  else the built-in provider (owner emailed, no referral records). Pass null for the built-in one. */
  crmWebhook?: CrmWebhookConfig | null;
}

/** The customer-workflow activities need a client; without one they fail clearly instead of retrying forever. */
function customersOrFail(deps: ActivityDeps): CustomerWorkflowDeps {
  if (deps.customers) return deps.customers;
  const fail = () => {
    throw ApplicationFailure.nonRetryable(
      'this worker was built without ActivityDeps.customers (a Temporal client and task queue): contact slots and rewards cannot reach customer:<id>',
      ACTIVITY_FAILURE.workerMisconfigured,
    );
  };
  return { client: { workflow: { executeUpdateWithStart: fail } }, taskQueue: '' } as unknown as CustomerWorkflowDeps;
}

/** Email deps from the environment; with a client, an address Postmark calls dead suppresses the customer everywhere.
 *  (What the provider took is in the sending run's own state, from this activity's answer: journey/sends.ts.) */
function emailDeps(deps: ActivityDeps): EmailDeps {
  const base = deps.email ?? emailDepsFromEnv(deps.dataDir);
  if (!deps.customers) return base;
  return {
    ...base,
    onRecipientSuppressed: base.onRecipientSuppressed ?? suppressRecipientInEveryJourney(deps.customers),
  };
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEmailActivities(emailDeps(deps)),
    ...createContactActivities(customersOrFail(deps)),
    // Without a client it is not registered: Qualify then runs without the score (NotFoundError, not retried).
    ...(deps.customers ? createAdvocateScoreActivities(deps.customers) : {}),
    // Always registered: without a client a starting run reads no facts and says so in its notes.
    ...createStartFactsActivities(deps.customers),
    ...createRewardActivities({
      ...customersOrFail(deps),
      webhook: deps.rewardWebhook === null ? undefined : (deps.rewardWebhook ?? rewardWebhookFromEnv(process.env)),
    }),
    ...createTrackingActivities(deps.tracking ?? trackingDepsFromEnv(deps.dataDir)),
    ...createCrmActivities({
      email: deps.email ?? emailDepsFromEnv(deps.dataDir),
      webhook: deps.crmWebhook === null ? undefined : (deps.crmWebhook ?? crmWebhookFromEnv(process.env)),
    }),
    async writeOutboxEmail(message: OutboxMessage): Promise<{ written: boolean }> {
      return { written: await writeToOutbox(deps.dataDir, message) };
    },
  };
}
