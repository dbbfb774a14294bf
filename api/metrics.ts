// Prometheus metrics of the API, on a registry per app (so tests and embedders can build several apps).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createApiMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'journey_api_events_accepted_total', help: 'Events taken and routed, by event type (retries not counted).',
      labelNames: ['type'], registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'journey_api_events_rejected_total', help: 'Events refused, by event type and reason (invalid, conflict, temporal, shed).',
      labelNames: ['type', 'reason'], registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'journey_api_request_duration_seconds', help: 'HTTP request latency by route and status.',
      labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    temporalErrors: new Counter({
      name: 'journey_api_temporal_errors_total', help: 'Failed calls to Temporal, by operation.',
      labelNames: ['operation'], registers: [registry],
    }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
