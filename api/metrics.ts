// Prometheus metrics of the API, on a registry per app (so tests and embedders can build several apps).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { loadCatalog } from '../definitions/loader.ts';

/** `type` label values besides the catalog's event types: a whole batch shed at once, and everything else. */
export const BATCH_TYPE_LABEL = 'batch';
export const UNKNOWN_TYPE_LABEL = 'unknown';

export interface ApiMetricsOptions {
  defaultMetrics?: boolean;
  /** Event types recorded by name in events_rejected_total; default: the event catalog (definitions/catalog/events.json). */
  eventTypes?: Iterable<string>;
}

export function createApiMetrics(opts: ApiMetricsOptions = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const known = new Set([...(opts.eventTypes ?? Object.keys(loadCatalog().events)), BATCH_TYPE_LABEL, UNKNOWN_TYPE_LABEL]);
  const typeLabel = (type: unknown) => (typeof type === 'string' && known.has(type) ? type : UNKNOWN_TYPE_LABEL);
  // journey_api_events_rejected_total. A rejected event's type is whatever the client sent, so taken verbatim it
  // would make one time series per typo or fuzzed string (unbounded label cardinality): the counter is reached only
  // through rejectEvents, whose `type` label is one of a closed set (the catalog's types, `batch`, or `unknown`).
  const eventsRejected = new Counter({
    name: 'journey_api_events_rejected_total',
    help: 'Events refused, by event type (a catalog type, "batch", or "unknown" for types not in the catalog) and reason (invalid, conflict, temporal, shed).',
    labelNames: ['type', 'reason'],
    registers: [registry],
  });
  return {
    registry,
    /** Counts `n` refused events of the client-given `type` (bounded as above) for `reason`. */
    rejectEvents(type: unknown, reason: string, n = 1): void {
      eventsRejected.inc({ type: typeLabel(type), reason }, n);
    },
    eventsAccepted: new Counter({
      name: 'journey_api_events_accepted_total',
      help: 'Events taken and routed, by event type (retries not counted).',
      labelNames: ['type'],
      registers: [registry],
    }),
    journeyDeliveries: new Counter({
      name: 'journey_api_journey_deliveries_total',
      help: 'What each accepted event did in each journey that names its type: started a run, signalled an open run, or not routed (it cannot open a cycle there and no run is open).',
      labelNames: ['type', 'journey', 'outcome'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'journey_api_request_duration_seconds',
      help: 'HTTP request latency by route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    referralSubmissionsPending: new Gauge({
      name: 'journey_api_referral_submissions_pending',
      help: 'Referral form submissions the page answered that Temporal has not taken yet (api/pages/submission-queue.ts): sent again until it does.',
      registers: [registry],
    }),
    temporalErrors: new Counter({
      name: 'journey_api_temporal_errors_total',
      help: 'Failed calls to Temporal, by operation.',
      labelNames: ['operation'],
      registers: [registry],
    }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
