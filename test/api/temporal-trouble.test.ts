// What a backend or an operator is told when the API cannot do its job right now: shed load (429 with
// Retry-After), Temporal unreachable (503, retryable, the event not remembered as taken), a run whose worker does
// not answer (504 within the deadline). None of these may be a 5xx the client cannot act on, or a hang.
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../scripts/dev-server.ts';
import { auth, event, newCustomer, startApi } from './support.ts';
import { DEV_UNSUBSCRIBE_SECRET, unsubscribeToken } from '../../activities/email/unsubscribe-link.ts';

describe('the API under trouble', () => {
  it('a single event beyond the in-flight bound is 429 with Retry-After and counted as shed', async () => {
    const f = await startApi({ maxInFlightEvents: 0 });
    try {
      const res = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(newCustomer('shed')) });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ error: 'overloaded' });
      const metrics = await f.api.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('journey_api_events_rejected_total{type="nps.submitted",reason="shed"} 1');
    } finally {
      await f.close();
    }
  });

  it('with Temporal unreachable, an event is 503 temporal_unavailable, and its retry is routed again rather than answered from memory', async () => {
    const dead = await Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const f = await startApi({ client: new Client({ connection: dead, namespace: 'default' }), temporalCallTimeoutMs: 2000 });
    try {
      const e = event(newCustomer('down'));
      const t0 = Date.now();
      const first = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: e });
      expect(first.statusCode).toBe(503);
      expect(Date.now() - t0).toBeLessThan(8000); // the 2 s deadline, not the SDK's minute of retries
      expect(first.json()).toMatchObject({ error: 'temporal_unavailable', requestId: expect.any(String) });
      const again = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: e });
      expect(again.statusCode).toBe(503); // tried again, not a cached "accepted" nor a "duplicate"
      const metrics = (await f.api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/journey_api_temporal_errors_total\{operation="routeEvent"\} [2-9]/);
      const health = await f.api.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      const t1 = Date.now();
      const customer = await f.api.inject({ method: 'GET', url: `/v1/customers/${e.customerId}`, headers: auth() });
      expect([503, 504]).toContain(customer.statusCode); // not 404: the engine cannot tell whether it knows the customer
      expect(Date.now() - t1).toBeLessThan(8000);
    } finally {
      await f.close();
      await dead.close();
    }
  });

  it('with Temporal unreachable, the unsubscribe link still shows its button (not a 500), and the one-click POST is 503 with Retry-After', async () => {
    const dead = await Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const f = await startApi({
      client: new Client({ connection: dead, namespace: 'default' }),
      temporalCallTimeoutMs: 1500,
      unsubscribeSecret: DEV_UNSUBSCRIBE_SECRET,
    });
    try {
      const url = `/u/${unsubscribeToken(DEV_UNSUBSCRIBE_SECRET, newCustomer('unsub-down'), 'nps-promoter-referral')}`;
      const page = await f.api.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('id="unsubscribe"');
      const metrics = (await f.api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/journey_api_temporal_errors_total\{operation="unsubscribePage"\} 1/);
      const click = await f.api.inject({ method: 'POST', url, payload: 'List-Unsubscribe=One-Click' });
      expect(click.statusCode).toBe(503);
      expect(click.headers['retry-after']).toBe('60');
    } finally {
      await f.close();
      await dead.close();
    }
  });

  it('pausing a run that no worker serves is 504 within the deadline, naming the likely cause', async () => {
    // No worker polls this fixture's task queue: the event starts the run, but nothing executes it.
    const f = await startApi({ temporalCallTimeoutMs: 1500 });
    try {
      const customerId = newCustomer('noworker');
      const sent = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(customerId) });
      expect(sent.statusCode).toBe(202);
      const t0 = Date.now();
      const res = await f.api.inject({
        method: 'POST',
        url: `/v1/journeys/nps-promoter-referral/runs/${customerId}/pause`,
        headers: auth(),
        payload: { reason: 'checking' },
      });
      expect(res.statusCode).toBe(504);
      expect(res.json().message).toMatch(/did not answer within 1500 ms \(is a worker polling its task queue\?\)/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await f.temporal.client.workflow.getHandle(`journey:nps-promoter-referral:${customerId}`).terminate('test over');
    } finally {
      await f.close();
    }
  });
});
