// What every API route shares: the options buildApi takes, the context it hands each route module, and the batch
// limit. Kept apart from server.ts so route modules depend on this small module, never on the server that
// registers them (that was a 13-file import cycle through server.ts).
import type { Client } from '@temporalio/client';
import type { ApiKey } from './auth.ts';
import type { EventIngest, EventValidator, InFlightLimit } from './ingest.ts';
import type { ApiMetrics } from './metrics.ts';
import type { PlanRegistry } from './registry.ts';
import type { KpiQuery, KpiReport } from '../reports/engine/kpi-engine.ts';
import type { Diagnostic } from '../definitions/diagnostics.ts';
import type { CustomerProfileDefaults, JourneyEvent } from '../workflows/contract/index.ts';
import type { PagesConfig } from '../definitions/pages.ts';
import type { PayloadCodec } from '@temporalio/common';

/** The most events one POST /v1/events/batch may carry. */
export const MAX_BATCH = 500;

/** The largest event (its JSON), whatever door it came in by: far below Temporal's 2 MB payload limit. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The compiler's check of one posted definition: every diagnostic, none when it compiles. */
export type DefinitionValidator = (definition: unknown) => Diagnostic[] | Promise<Diagnostic[]>;

export type KpiReporter = (query: KpiQuery) => Promise<KpiReport>;

export interface PostmarkWebhookConfig {
  basicAuth: { username: string; password: string };
}

/** The remote codec endpoint (routes/codec.ts): the codec, the UI's door and the browser origins allowed. */
export interface CodecEndpointOptions {
  /** Undefined when JOURNEY_CODEC_KEYS is unset: the endpoint answers 404 codec_not_configured. */
  codec?: PayloadCodec;
  /** The secret path segment of the UI's endpoint (/codec/ui/<token>); undefined: only the bearer door is open. */
  uiToken?: string;
  /** Origins allowed to call from a browser, e.g. http://127.0.0.1:8233 (the Temporal UI). */
  corsOrigins: readonly string[];
}

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  /** The task queue customer:<id> is started on (TemporalConfig.customerTaskQueue); default: taskQueue. */
  customerTaskQueue?: string;
  apiKeys: ApiKey[];
  registry: PlanRegistry;
  /** Where the embedded defaults keep their files (outbox, tracking log). */
  dataDir: string;
  validateEvent?: EventValidator;
  /** Default: the journey compiler (definitions/compiler) with the catalog and local templates. */
  validateDefinition?: DefinitionValidator;
  /** Default: the KPI report over the tracking log in dataDir (reports/engine/). */
  kpiReport?: KpiReporter;
  postmark?: PostmarkWebhookConfig;
  /** Events being routed at once before the API answers 429. */
  maxInFlightEvents?: number;
  /** How long a query or update to a run may take before the API gives up (ms). */
  temporalCallTimeoutMs?: number;
  /** How many event answers the API keeps for retries (EventIngest; packed, about 320 bytes each). */
  answerCacheSize?: number;
  logger?: boolean;
  /** Start input of every customer workflow the API starts: the contact policy loaded at start (api/main.ts). */
  customerDefaults?: CustomerProfileDefaults;
  /** Referral codes are minted and resolved with it (JOURNEY_REFERRAL_CODE_SECRET); default: the dev secret. */
  referralCodeSecret?: string;
  /** The look and words of the public pages (definitions/pages.json); default: a plain look (api/pages/layout.ts). */
  pages?: PagesConfig;
  /** Unsubscribe links are verified with it (unsubscribeSecretFromEnv); default: derived from referralCodeSecret. */
  unsubscribeSecret?: string;
  /** How long a referral form's POST waits for Temporal before it answers from the durable queue
   *  (api/pages/submission-queue.ts; JOURNEY_REFERRAL_PAGE_WAIT_MS); default 30 ms. */
  referralPageWaitMs?: number;
  /** Where accepted events are logged as NDJSON for backtests (api/event-log.ts, JOURNEY_EVENT_LOG); default: off. */
  eventLog?: { append(event: JourneyEvent): void };
  /** The remote codec endpoint for the Temporal UI and CLI (routes/codec.ts); omitted: it answers 404 codec_not_configured. */
  codec?: CodecEndpointOptions;
}

export interface ApiContext {
  client: Client;
  taskQueue: string;
  customerTaskQueue: string;
  registry: PlanRegistry;
  ingest: EventIngest;
  limit: InFlightLimit;
  metrics: ApiMetrics;
  dataDir: string;
  temporalCallTimeoutMs: number;
  customerDefaults: CustomerProfileDefaults;
  opts: ApiOptions;
}
