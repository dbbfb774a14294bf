// The API process: `node --import tsx api/main.ts`. Configuration from the environment:
//   JOURNEY_API_KEYS   key[:scope+scope],...  (scopes ingest, operate, read; a plain key has all). Required unless
//   JOURNEY_DEV_MODE=1 (then a key is still needed to call /v1, but the process starts with none and says so loudly).
//   JOURNEY_API_PORT (3000), JOURNEY_API_HOST (127.0.0.1), JOURNEY_DATA_DIR (data), JOURNEY_JOURNEYS_DIR,
//   JOURNEY_POSTMARK_WEBHOOK_USER / _PASSWORD (basic auth of POST /v1/webhooks/postmark), TEMPORAL_* (Temporal),
//   JOURNEY_API_MAX_IN_FLIGHT_EVENTS (2000: events routed at once before 429), JOURNEY_API_TEMPORAL_TIMEOUT_MS
//   (10000: the deadline of each Temporal call before 503/504), JOURNEY_API_ANSWER_CACHE_SIZE (100000: event answers
//   kept for retries, packed: about 320 bytes each), JOURNEY_EVENT_LOG (a folder: log accepted events as
//   NDJSON for `journey backtest`; off when unset), JOURNEY_EVENT_LOG_MAX_BYTES (64 MiB), JOURNEY_EVENT_LOG_KEEP (20),
//   JOURNEY_CODEC_KEYS (payload encryption, shared with
//   the worker), JOURNEY_CODEC_UI_TOKEN / JOURNEY_CODEC_CORS_ORIGINS (the Temporal UI's codec endpoint, /codec).
// SIGHUP reloads the journey files (an invalid file is refused, the last good versions keep serving).
import { loadJourneyDir } from '../definitions/loader.ts';
import { customerDefaultsFromEnv } from '../definitions/customer-defaults.ts';
import { createTemporalClient, loadTemporalConfig, type TemporalConfig } from '../worker/temporal-config.ts';
import { checkNamespaceAccess, connectWhenReachable, exitOnStopWhileWaiting, connectClient } from '../worker/temporal-connect.ts';
import { connectWaitMsFromEnv } from '../worker/connect-wait-setting.ts';
import { describePayloadProtection, requirePayloadProtectionInProduction } from '../worker/data-converter.ts';
import { parseApiKeys } from './auth.ts';
import { validateDefinitionBody } from './definition-validator.ts';
import { PlanRegistry } from './registry.ts';
import { buildApi } from './server.ts';
import { DEFAULT_ANSWER_CACHE_SIZE } from './ingest.ts';
import { referralCodeSecretFromEnv } from './referral-code.ts';
import { unsubscribeSecretFromEnv } from '../activities/email/unsubscribe-link.ts';
import { eventLogFromEnv } from './event-log.ts';
import { referralPageWaitMsFromEnv } from './pages/submission-queue.ts';
import { loadPagesConfigFromEnv } from '../definitions/pages.ts';
import { codecEndpointFromEnv } from './codec-settings.ts';
import { runsWithJemalloc } from '../worker/allocator.ts';
import { applyHeapGrowth, describeHeapGrowth, heapGrowthPercent } from '../worker/heap-growth.ts';

function fail(message: string): never {
  console.error(`api: ${message}`);
  process.exit(1);
}

let apiKeys;
let heapGrowth;
try {
  apiKeys = parseApiKeys(process.env.JOURNEY_API_KEYS);
  // Set before the first request: V8 then collects this process's heap about once every few seconds at an everyday
  // load, not every second (worker/heap-growth.ts).
  heapGrowth = heapGrowthPercent(process.env, 'JOURNEY_API_HEAP_GROWTH_PERCENT');
  applyHeapGrowth(heapGrowth);
} catch (err) {
  fail((err as Error).message);
}
if (apiKeys.length === 0) {
  if (process.env.JOURNEY_DEV_MODE !== '1') {
    fail(
      'no API key configured. Set JOURNEY_API_KEYS=<key>[:ingest+operate+read],... (or JOURNEY_DEV_MODE=1 to start without one; npm start sets a dev key).',
    );
  }
  console.error('api: DEV MODE with no API key: every /v1 route will answer 401 until JOURNEY_API_KEYS is set.');
}

// The global contact policy, checked once; every customer workflow the API starts carries it (JOURNEY_CONTACT_POLICY).
let customerDefaults;
let referralCodeSecret;
let eventLog;
let pages;
try {
  eventLog = eventLogFromEnv(process.env);
  referralCodeSecret = referralCodeSecretFromEnv(process.env);
  pages = loadPagesConfigFromEnv(); // the public pages' look and words (JOURNEY_PAGES, else definitions/pages.json)
  customerDefaults = customerDefaultsFromEnv(); // and the advocate score weights (JOURNEY_ADVOCATE_SCORE), the same way
} catch (err) {
  fail((err as Error).message);
}

/** A positive whole number from the environment, or the default; anything else stops the API with its name. */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(`${name}=${JSON.stringify(raw)} must be a positive whole number`);
  return n;
}
const maxInFlightEvents = positiveInt('JOURNEY_API_MAX_IN_FLIGHT_EVENTS', 2000);
const temporalCallTimeoutMs = positiveInt('JOURNEY_API_TEMPORAL_TIMEOUT_MS', 10_000);
const answerCacheSize = positiveInt('JOURNEY_API_ANSWER_CACHE_SIZE', DEFAULT_ANSWER_CACHE_SIZE);

let config: TemporalConfig;
let codecEndpoint;
let connectWaitMs;
try {
  config = loadTemporalConfig(); // JOURNEY_CODEC_KEYS too: a malformed key stops the API with the variable's name
  codecEndpoint = codecEndpointFromEnv(process.env, config.payloads.codec);
  connectWaitMs = connectWaitMsFromEnv(); // JOURNEY_TEMPORAL_CONNECT_WAIT_S: how long to wait for Temporal at start
  // In production, customer data never reaches Temporal's histories in clear (the API starts runs with it too).
  requirePayloadProtectionInProduction(config.payloads);
} catch (err) {
  fail((err as Error).message);
}
// Temporal may not be up yet: wait for it, within the bound, before listening (worker/temporal-connect.ts). Until
// then the port is closed, so a load balancer sends the events to an API that can route them.
const handBackStopSignals = exitOnStopWhileWaiting('api');
// Each attempt probed first (connectClient): the client's channel alone would spend its whole 10 s connectTimeout on
// a refused port, and wait on a setting that can never work (TLS, a web server at the address) as if Temporal were down.
const connection = await connectWhenReachable(() => connectClient(config.connectionOptions), {
  address: config.connectionOptions.address,
  waitMs: connectWaitMs,
  log: (line) => console.error(`api: ${line}`),
}).catch((err) => fail(err.message));
handBackStopSignals();
// Credentials the server accepts may still not be allowed to act in the namespace: every event would be 503.
await checkNamespaceAccess(connection.workflowService, config.namespace).catch((err: Error) => fail(err.message));
const client = createTemporalClient(connection, config);
console.error(`api: ${describePayloadProtection(config.payloads)}`);

const journeysDir = process.env.JOURNEY_JOURNEYS_DIR;
const registry = new PlanRegistry(() => loadJourneyDir(journeysDir));
const first = await registry.reload();
for (const d of first.diagnostics) console.error(`api: ${d.severity} ${d.file}:${d.line}:${d.column} ${d.pointer} ${d.message}`);
if (!first.applied) console.error('api: the journey files have errors; serving no journeys until a reload succeeds');

const postmarkUser = process.env.JOURNEY_POSTMARK_WEBHOOK_USER;
const postmarkPassword = process.env.JOURNEY_POSTMARK_WEBHOOK_PASSWORD;
const app = await buildApi({
  client,
  taskQueue: config.taskQueue,
  customerTaskQueue: config.customerTaskQueue,
  apiKeys,
  registry,
  logger: true,
  maxInFlightEvents,
  temporalCallTimeoutMs,
  answerCacheSize,
  customerDefaults,
  referralCodeSecret,
  pages,
  referralPageWaitMs: referralPageWaitMsFromEnv(process.env),
  // The worker signs every ask's unsubscribe link with the same one (JOURNEY_UNSUBSCRIBE_SECRET, or derived).
  unsubscribeSecret: unsubscribeSecretFromEnv(process.env),
  dataDir: process.env.JOURNEY_DATA_DIR ?? 'data',
  eventLog,
  validateDefinition: validateDefinitionBody,
  // POST /codec/decode for the Temporal UI and CLI (JOURNEY_CODEC_UI_TOKEN, JOURNEY_CODEC_CORS_ORIGINS).
  codec: codecEndpoint,
  postmark: postmarkUser && postmarkPassword ? { basicAuth: { username: postmarkUser, password: postmarkPassword } } : undefined,
});

process.on('SIGHUP', () => {
  void registry
    .reload()
    .then((r) =>
      app.log.info(
        { applied: r.applied, journeys: r.journeys, errors: r.diagnostics.filter((d) => d.severity === 'error').length },
        'journey reload (SIGHUP)',
      ),
    );
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void app.close().then(() => connection.close()));

const port = Number(process.env.JOURNEY_API_PORT ?? 3000);
await app.listen({ host: process.env.JOURNEY_API_HOST ?? '127.0.0.1', port });
const jemalloc = runsWithJemalloc();
app.log.info(
  { journeys: registry.summary(), malloc: jemalloc ? 'jemalloc' : 'system' },
  `api: serving ${registry.current().length} journeys; OpenAPI at /openapi.json, docs at /docs; malloc: ${jemalloc ? 'jemalloc' : "the system's (JOURNEY_API_ALLOCATOR, docs/production.md)"}; ${describeHeapGrowth(heapGrowth, 'JOURNEY_API_HEAP_GROWTH_PERCENT')}`,
);
