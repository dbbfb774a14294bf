// The CRM webhook provider: posts each owner task and referral record, mapped to the chosen CRM's properties
// (definitions/crm.json), to the company's CRM integration (a HubSpot / Salesforce middleware, an iPaaS flow, an
// internal service) with an Idempotency-Key and an HMAC signature, exactly as the reward webhook does
// (activities/rewards/signature.ts). Transient failures throw (Temporal retries with backoff, bounded in
// workflows/journey/activities.ts); a permanent 4xx or a request that cannot be built is non-retryable; 409 means
// the receiver already processed the key.
import { ApplicationFailure } from '@temporalio/common';
import { CRM_FAILURE } from '../../workflows/contract/index.ts';
import { loadCrmMappingsFromEnv, type CRMMapping } from '../../definitions/crm-mapping.ts';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signRewardPayload } from '../rewards/signature.ts';
import { requestSignal } from '../cancellation.ts';
import { fetchFailure, headerSafeKey, isRetryableStatus, jsonBody } from '../failures.ts';

export interface CrmWebhookConfig {
  url: string;
  secret: string;
  /** Which mapping of definitions/crm.json (JOURNEY_CRM): hubspot, salesforce, or your own. */
  crm: string;
  mapping: CRMMapping;
  /** Per-request timeout (default 10 s); a slow receiver is retried with the same key. */
  timeoutMs?: number;
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

export interface CrmWebhookOutcome {
  status: number;
  /** 409: the receiver had already processed this key. */
  alreadyProcessed: boolean;
}

export async function postCrmWebhook(
  config: CrmWebhookConfig,
  idempotencyKey: string,
  payload: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<CrmWebhookOutcome> {
  const body = jsonBody(payload, 'CRM webhook');
  const timestamp = String(Math.floor(nowMs / 1000));
  let res: Response;
  try {
    res = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // Task ids hold the workflow id, which holds the customer id: any character, made a valid header value.
        [IDEMPOTENCY_HEADER]: headerSafeKey(idempotencyKey),
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signRewardPayload(config.secret, timestamp, body),
      },
      body,
      // The timeout, and the activity's cancellation (a worker shutting down must not wait for a slow CRM).
      signal: requestSignal(config.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw fetchFailure(err, 'CRM webhook');
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { status: res.status, alreadyProcessed: false };
  if (res.status === 409) return { status: 409, alreadyProcessed: true };
  const detail = `CRM webhook answered ${res.status} for ${idempotencyKey}: ${text.slice(0, 300)}`;
  if (isRetryableStatus(res.status)) throw new Error(`${detail}; will retry with the same Idempotency-Key`);
  throw ApplicationFailure.nonRetryable(`${detail}; permanent, needs an operator`, CRM_FAILURE.rejected, {
    idempotencyKey,
    status: res.status,
  });
}
