// The CRM webhook provider: posts each owner task and referral record, mapped to the chosen CRM's properties
// (definitions/crm.json), to the company's CRM integration (a HubSpot / Salesforce middleware, an iPaaS flow, an
// internal service) with an Idempotency-Key and an HMAC signature, through the same poster as the reward webhook
// (activities/signed-webhook.ts). Transient failures throw (Temporal retries with backoff, bounded in
// workflows/journey/activities.ts); a permanent 4xx or a request that cannot be built is non-retryable; 409 means
// the receiver already processed the key.
import { CRM_FAILURE } from '../../workflows/contract/index.ts';
import { loadCrmMappingsFromEnv, type CRMMapping } from '../../definitions/crm-mapping.ts';
import { postSignedWebhook, type SignedWebhookOutcome, type SignedWebhookTarget } from '../signed-webhook.ts';

export interface CrmWebhookConfig extends SignedWebhookTarget {
  /** Which mapping of definitions/crm.json (JOURNEY_CRM): hubspot, salesforce, or your own. */
  crm: string;
  mapping: CRMMapping;
}

/** The provider chosen by JOURNEY_CRM_WEBHOOK_URL (+ _SECRET, JOURNEY_CRM, JOURNEY_CRM_MAPPING), or none: the built-in default. */
export function crmWebhookFromEnv(env: NodeJS.ProcessEnv): CrmWebhookConfig | undefined {
  const url = env.JOURNEY_CRM_WEBHOOK_URL;
  if (!url) return undefined;
  const secret = env.JOURNEY_CRM_WEBHOOK_SECRET;
  if (!secret) throw new Error('JOURNEY_CRM_WEBHOOK_URL is set but JOURNEY_CRM_WEBHOOK_SECRET is not: CRM records must be signed');
  const crm = env.JOURNEY_CRM ?? '';
  const { mappings } = loadCrmMappingsFromEnv(env);
  if (!mappings[crm]) {
    throw new Error(
      `JOURNEY_CRM ${JSON.stringify(crm)} names no mapping of the CRM mapping file: one of ${Object.keys(mappings).join(', ')}`,
    );
  }
  return { url, secret, crm, mapping: mappings[crm] };
}

/** Posts one owner task or referral record (see activities/signed-webhook.ts for what each answer means). */
export function postCrmWebhook(
  config: CrmWebhookConfig,
  idempotencyKey: string,
  payload: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<SignedWebhookOutcome> {
  return postSignedWebhook(config, idempotencyKey, payload, { label: 'CRM webhook', rejectedType: CRM_FAILURE.rejected }, nowMs);
}
