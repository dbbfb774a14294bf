// Definitions (list, validate, reload keeping the last good version), operations (healthz, metrics), the
// OpenAPI document and docs page, outbox, reports and webhooks placeholders.
import type { TrackingRecord } from '../../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadJourneyDir, JOURNEYS_DIR } from '../../definitions/loader.ts';
import { parseApiKeys } from '../../api/auth.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { buildApi } from '../../api/server.ts';
import { validateDefinitionBody } from '../../api/definition-validator.ts';
import { appendTracking } from '../../activities/tracking/ndjson-log.ts';
import { auth, event, newCustomer, startApi, type ApiFixture } from './support.ts';

describe('definitions', () => {
  let f: ApiFixture;
  const dir = mkdtempSync(join(tmpdir(), 'journeys-'));
  // A journey id of this test only: an applied reload signals the open runs of changed journeys on the shared dev server.
  const NPS_ID = `nps-ops-${Date.now().toString(36)}`;
  const shipped = { ...JSON.parse(readFileSync(join(JOURNEYS_DIR, 'nps-promoter-referral.json'), 'utf8')), id: NPS_ID };
  beforeAll(async () => {
    writeFileSync(join(dir, 'nps.json'), JSON.stringify(shipped, null, 2));
    f = await startApi({ validateDefinition: validateDefinitionBody });
    // This API serves the temp folder, so the test can break a file.
    const registry = new PlanRegistry(() => loadJourneyDir(dir));
    await registry.reload();
    await f.api.close();
    (f as { api: unknown }).api = await buildApi({
      client: f.temporal.client,
      taskQueue: f.taskQueue,
      apiKeys: parseApiKeys('k'),
      registry,
      dataDir: f.dataDir,
      validateDefinition: validateDefinitionBody,
    });
  });
  afterAll(async () => {
    await f?.close();
  });
  const k = { authorization: 'Bearer k' };

  it('GET /v1/definitions lists the served journeys with version, hash and routing', async () => {
    const res = await f.api.inject({ method: 'GET', url: '/v1/definitions', headers: k });
    expect(res.statusCode).toBe(200);
    expect(res.json().journeys).toEqual([
      expect.objectContaining({
        journeyId: NPS_ID,
        status: 'active',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        routing: expect.objectContaining({ listen: ['nps.submitted'] }),
      }),
    ]);
  });

  it('POST /v1/definitions/validate gives the compiler diagnostics with pointers', async () => {
    const good = await f.api.inject({ method: 'POST', url: '/v1/definitions/validate', headers: k, payload: shipped });
    expect(good.json()).toMatchObject({ valid: true });
    const bad = await f.api.inject({
      method: 'POST',
      url: '/v1/definitions/validate',
      headers: k,
      payload: { ...shipped, status: 'live', listen: { ...shipped.listen, events: ['nps.submited'] } },
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json().valid).toBe(false);
    expect(bad.json().diagnostics.map((d: { pointer: string }) => d.pointer)).toContain('/status');
  });

  it('reload: a new valid version is applied; an invalid file is refused (422) and the last good version keeps serving', async () => {
    writeFileSync(join(dir, 'nps.json'), JSON.stringify({ ...shipped, version: shipped.version + 1 }, null, 2));
    const ok = await f.api.inject({ method: 'POST', url: '/v1/definitions/reload', headers: k });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().journeys[0].version).toBe(shipped.version + 1);
    writeFileSync(join(dir, 'nps.json'), `{ "id": "${NPS_ID}", `);
    const refused = await f.api.inject({ method: 'POST', url: '/v1/definitions/reload', headers: k });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ applied: false, journeys: [{ journeyId: NPS_ID, version: shipped.version + 1 }] });
    expect(refused.json().diagnostics.length).toBeGreaterThan(0);
    const routed = await f.api.inject({ method: 'POST', url: '/v1/events', headers: k, payload: event(newCustomer()) });
    expect(routed.json().journeys[0]).toMatchObject({ journeyId: NPS_ID, version: shipped.version + 1 });
  });
});

describe('operations, OpenAPI, outbox, reports, webhooks', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('GET /healthz is 200 when Temporal answers and 503 when it does not', async () => {
    expect((await f.api.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ ok: true, temporal: 'reachable', journeys: 4 });
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const down = await buildApi({
      client: new Client({ connection }),
      taskQueue: 'x',
      apiKeys: [],
      registry: PlanRegistry.of([]),
      dataDir: f.dataDir,
    });
    const res = await down.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false, temporal: 'unreachable' });
    const metrics = await down.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('journey_api_temporal_errors_total{operation="healthz"} 1');
    await down.close();
  });

  it('GET /metrics counts accepted and rejected events by type and request latency', async () => {
    await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: event(newCustomer(), { type: 'csat.submitted', data: { score: 5 } }),
    });
    await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: event(newCustomer(), { type: 'csat.submitted', data: { score: 9 } }),
    });
    const res = await f.api.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('journey_api_events_accepted_total{type="csat.submitted"} 1');
    expect(res.body).toContain('journey_api_events_rejected_total{type="csat.submitted",reason="invalid"} 1');
    expect(res.body).toMatch(/journey_api_request_duration_seconds_count\{method="POST",route="\/v1\/events",status="202"\} 1/);
  });

  it('serves an OpenAPI 3.1 document built from the route schemas, and a docs page', async () => {
    const doc = (await f.api.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/events',
      '/v1/events/batch',
      '/v1/customers/{id}',
      '/v1/customers/{id}/opt-out',
      '/v1/journeys/{journeyId}/runs/{customerId}/pause',
      '/v1/definitions',
      '/v1/definitions/validate',
      '/v1/definitions/reload',
      '/v1/outbox',
      '/v1/reports/kpis',
      '/healthz',
      '/metrics',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/v1/events'].post.requestBody.content['application/json'].schema.required).toEqual([
      'id',
      'type',
      'customerId',
      'occurredAt',
    ]);
    const docs = await f.api.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    expect((await f.api.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(200);
  });

  it("GET /v1/outbox lists the embedded transport's messages; GET /v1/reports/kpis computes the KPIs from the tracking log", async () => {
    const outbox = await f.api.inject({ method: 'GET', url: '/v1/outbox', headers: auth('read-key') });
    expect(outbox.json()).toEqual({ messages: [] });
    const rec = (customerId: string, type: string, at: string, stage: TrackingRecord['stage']): TrackingRecord => ({
      at,
      journeyId: 'kpi-j',
      journeyVersion: 1,
      customerId,
      stage,
      type,
      key: `${customerId}:${type}`,
    });
    for (const r of [
      rec('c1', 'qualified', '2026-03-01T00:00:00Z', 'qualify'),
      rec('c1', 'ask.sent', '2026-03-02T00:00:00Z', 'invite'),
      rec('c1', 'action.taken', '2026-03-03T00:00:00Z', 'activate'),
      rec('c2', 'qualified', '2026-03-01T00:00:00Z', 'qualify'),
      rec('c3', 'qualified', '2026-05-01T00:00:00Z', 'qualify'),
    ])
      await appendTracking(f.dataDir, r);
    const kpis = await f.api.inject({
      method: 'GET',
      url: '/v1/reports/kpis?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z',
      headers: auth('read-key'),
    });
    expect(kpis.statusCode).toBe(200);
    // The KPI store's ingest summary reaches the answer (the response schema dropped it before it was declared).
    expect(kpis.json().sources.store).toMatchObject({ seq: expect.any(Number), rebuilt: false });
    expect(kpis.json().sources.store.newRecords).toBeGreaterThan(0);
    const [journey] = kpis.json().groups;
    expect(journey.key).toEqual({ journey: 'kpi-j', version: 1 });
    // c1 and c2 qualified before April; c1 asked and acted. c3 qualified in May, outside the period.
    expect(journey.values).toMatchObject({
      'qualified-customers': 2,
      'warm-introduction-offer-rate': 0.5,
      'referral-prompt-acceptance-rate': 1,
    });
    expect(kpis.json().kpis.find((k: { id: string }) => k.id === 'referral-link-clicks')).toMatchObject({
      status: 'waiting',
      waitingFor: [{ record: 'referral.link_clicked' }],
    });
    const byWeek = await f.api.inject({
      method: 'GET',
      url: '/v1/reports/kpis?by=week&kpi=qualified-customers',
      headers: auth('read-key'),
    });
    // Every week with a record is a row: the week of c1's ask and action (from Monday 2 March) qualified nobody.
    expect(byWeek.json().groups).toEqual([
      { key: { week: '2026-02-23' }, values: { 'qualified-customers': 2 } },
      { key: { week: '2026-03-02' }, values: { 'qualified-customers': 0 } },
      { key: { week: '2026-04-27' }, values: { 'qualified-customers': 1 } },
    ]);
    expect(
      (await f.api.inject({ method: 'GET', url: '/v1/reports/kpis?journeyId=other', headers: auth('read-key') })).json().groups,
    ).toEqual([]);
    // Every 4xx names the field.
    for (const [query, pointer] of [
      ['from=yesterday', '/from'],
      ['by=journey,colour', '/by'],
      ['kpi=nope', '/kpi'],
      ['cohort=2026-03-03', '/cohort'],
      ['version=0', '/version'],
    ]) {
      const bad = await f.api.inject({ method: 'GET', url: `/v1/reports/kpis?${query}`, headers: auth('read-key') });
      expect(bad.statusCode, query).toBe(400);
      expect(JSON.stringify(bad.json().errors), query).toContain(pointer);
    }
    // Without webhook credentials configured the route does not exist.
    expect((await f.api.inject({ method: 'POST', url: '/v1/webhooks/postmark', payload: {} })).statusCode).toBe(404);
  });

  it('POST /v1/webhooks/postmark is mounted with its own basic-auth credentials when configured', async () => {
    const hooked = await buildApi({
      client: f.temporal.client,
      taskQueue: f.taskQueue,
      apiKeys: parseApiKeys('k'),
      registry: PlanRegistry.of([]),
      dataDir: f.dataDir,
      postmark: { basicAuth: { username: 'pm', password: 'pm-secret' } },
    });
    try {
      expect((await hooked.inject({ method: 'POST', url: '/v1/webhooks/postmark', payload: {} })).statusCode).toBe(401);
      expect(
        (await hooked.inject({ method: 'POST', url: '/v1/webhooks/postmark', headers: { authorization: 'Bearer k' }, payload: {} }))
          .statusCode,
      ).toBe(401);
      const basic = `Basic ${Buffer.from('pm:pm-secret').toString('base64')}`;
      const res = await hooked.inject({
        method: 'POST',
        url: '/v1/webhooks/postmark',
        headers: { authorization: basic },
        payload: { RecordType: 'Delivery' },
      });
      expect(res.statusCode).toBeLessThan(300);
      expect((await hooked.inject({ method: 'GET', url: '/openapi.json' })).json().paths).toHaveProperty(['/v1/webhooks/postmark']);
    } finally {
      await hooked.close();
    }
  });

  it('an unknown route is a JSON 404', async () => {
    const res = await f.api.inject({ method: 'GET', url: '/v1/nothing', headers: auth() });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });
});
