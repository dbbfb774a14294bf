// journey_api_events_rejected_total{type}: a rejected event's type is whatever the client sent, so the label is kept
// to a closed set (the catalog's types, "batch", "unknown") and cannot grow one series per made-up type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createApiMetrics } from '../../api/metrics.ts';
import { auth, event, newCustomer, startApi, type ApiFixture } from './support.ts';

const rejectedSeries = (text: string) => text.split('\n').filter((l) => l.startsWith('journey_api_events_rejected_total{'));

describe('events_rejected_total type label', () => {
  it('keeps catalog types and "batch", records every other type as "unknown"', async () => {
    const m = createApiMetrics();
    m.rejectEvents('csat.submitted', 'invalid');
    m.rejectEvents('batch', 'shed', 4);
    for (let i = 0; i < 50; i++) m.rejectEvents(`made-up-${randomUUID()}`, 'invalid');
    m.rejectEvents('nps.submittedd', 'invalid');
    m.rejectEvents({ not: 'a string' }, 'invalid');
    m.rejectEvents('nps.submitted', 'conflict');
    expect(rejectedSeries(await m.registry.metrics()).sort()).toEqual([
      'journey_api_events_rejected_total{type="batch",reason="shed"} 4',
      'journey_api_events_rejected_total{type="csat.submitted",reason="invalid"} 1',
      'journey_api_events_rejected_total{type="nps.submitted",reason="conflict"} 1',
      'journey_api_events_rejected_total{type="unknown",reason="invalid"} 52',
    ]);
  });

  it('takes its known types from the caller when given', async () => {
    const m = createApiMetrics({ eventTypes: ['custom.type'] });
    m.rejectEvents('custom.type', 'invalid');
    m.rejectEvents('csat.submitted', 'invalid');
    expect(rejectedSeries(await m.registry.metrics()).sort()).toEqual([
      'journey_api_events_rejected_total{type="custom.type",reason="invalid"} 1',
      'journey_api_events_rejected_total{type="unknown",reason="invalid"} 1',
    ]);
  });

  describe('through the API', () => {
    let f: ApiFixture;
    beforeAll(async () => {
      f = await startApi();
    });
    afterAll(async () => {
      await f?.close();
    });

    it('POST /v1/events and /v1/events/batch with types not in the catalog: one "unknown" series, catalog types by name', async () => {
      const post = (url: string, payload: unknown) => f.api.inject({ method: 'POST', url, headers: auth(), payload: payload as object });
      for (const type of ['nps.submited', 'x'.repeat(90), '{"injected"}']) {
        expect((await post('/v1/events', event(newCustomer(), { type }))).statusCode).toBe(400);
      }
      const batch = await post('/v1/events/batch', {
        events: [event(newCustomer(), { type: 'not.a.type' }), event(newCustomer(), { type: 'y'.repeat(150) }), { id: 'e-1', type: 42 }],
      });
      expect(batch.statusCode).toBe(202);
      expect((await post('/v1/events', event(newCustomer(), { type: 'csat.submitted', data: { score: 9 } }))).statusCode).toBe(400);
      const series = rejectedSeries((await f.api.inject({ method: 'GET', url: '/metrics' })).body);
      expect(series).toContain('journey_api_events_rejected_total{type="unknown",reason="invalid"} 6');
      expect(series).toContain('journey_api_events_rejected_total{type="csat.submitted",reason="invalid"} 1');
      expect(series).toHaveLength(2);
    });
  });
});
