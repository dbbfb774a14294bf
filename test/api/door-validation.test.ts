// Validation at every door: input the engine could never act on is a 4xx in the API's one error shape, naming the
// field (a JSON pointer), never a 500 (stack overflow), a 503 retried for ever (an id Temporal refuses), a 414 in
// another shape, or a 202 whose ask is dropped later (an address or zone no ask can use).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, event, newCustomer, startApi, type ApiFixture } from './support.ts';
import { idPattern } from '../../api/schemas.ts';
import { loadCatalog } from '../../definitions/loader.ts';

/** `[[[…]]]` as text (10 KB for 5,000 levels): even JSON.stringify overflows on it, so the body is written by hand. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const oneErrorShape = (body: Record<string, unknown>) => {
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
  expect((body.errors as unknown[]).length).toBeGreaterThan(0);
  for (const e of body.errors as { pointer: unknown; message: unknown }[]) {
    expect(typeof e.pointer).toBe('string');
    expect(typeof e.message).toBe('string');
  }
};

describe('validation at every door', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi({ temporalCallTimeoutMs: 3000 });
  });
  afterAll(() => f?.close());

  it('a 12 KB body nested 5,000 deep is a 400 naming where, on events, batches and definition validation', async () => {
    const deep = nested(5000);
    const single = JSON.stringify({ ...event(newCustomer('deep')), data: { score: 9, extra: '@DEEP@' } }).replace('"@DEEP@"', deep);
    const cases = [
      { url: '/v1/events', body: single, pointer: /^\/data\/extra(\/0)+$/ },
      { url: '/v1/events/batch', body: `{"events":[${single}]}`, pointer: /^\/events\/0\/data\/extra(\/0)+$/ },
      { url: '/v1/definitions/validate', body: `{"id":"x","listen":${deep}}`, pointer: /^\/listen(\/0)+$/ },
    ];
    for (const c of cases) {
      const body = c.body;
      expect(body.length).toBeLessThan(12_500);
      const res = await f.api.inject({
        method: 'POST',
        url: c.url,
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.statusCode, `${c.url}: ${res.body.slice(0, 200)}`).toBe(400);
      const json = res.json();
      oneErrorShape(json);
      expect(json.errors[0].pointer).toMatch(c.pointer);
    }
  });

  it('a referrerId longer than a workflow id may be is a 400 naming /data/referrerId, not a 503 retried for ever', async () => {
    const res = await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: event(newCustomer('ref'), {
        type: 'deal.closed_won',
        data: { referralId: 'R-1', amount: 10, referrerId: 'r'.repeat(1200) },
      }),
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    oneErrorShape(res.json());
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/data/referrerId');
  });

  it.each([
    ['traits.email "notanemail"', { email: 'notanemail' }, '/traits/email'],
    ['traits.timezone "Mars/Olympus"', { timezone: 'Mars/Olympus' }, '/traits/timezone'],
  ])('%s is refused at the door with its pointer, on events and on PUT /customers', async (_name, traits, pointer) => {
    const sent = await f.api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth(),
      payload: event(newCustomer('traits'), { traits }),
    });
    expect(sent.statusCode).toBe(400);
    expect(sent.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    const put = await f.api.inject({ method: 'PUT', url: `/v1/customers/${newCustomer('traits')}`, headers: auth(), payload: traits });
    expect(put.statusCode).toBe(400);
    oneErrorShape(put.json());
    expect(put.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer.replace('/traits', ''));
  });

  it('a known zone and a real address still pass', async () => {
    const put = await f.api.inject({
      method: 'PUT',
      url: `/v1/customers/${newCustomer('ok')}`,
      headers: auth(),
      payload: { email: 'ada@example.com', timezone: 'Asia/Tokyo' },
    });
    expect(put.statusCode).toBe(202);
  });

  it.each(['.', '..', ':', '.:.'])('customer id %j is refused: a URL path cannot address it, or it names nothing', async (id) => {
    const res = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload: event(id) });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/customerId');
  });

  it('ids with dots and colons inside stay accepted and addressable (a.b, a:b, first.last@example.com)', () => {
    const re = new RegExp(idPattern);
    for (const ok of ['a.b', 'a:b', 'first.last@example.com', '.a', 'x..y']) expect(re.test(ok), ok).toBe(true);
  });

  it('a 10,000-character id in a URL is a 400 in the normal error shape that does not echo the path', async () => {
    const long = 'x'.repeat(10_000);
    for (const url of [`/v1/customers/${long}`, `/v1/journeys/nps-promoter-referral/runs/${long}`]) {
      const res = await f.api.inject({ method: 'GET', url, headers: auth() });
      expect(res.statusCode).toBe(400);
      oneErrorShape(res.json());
      expect(res.body.length).toBeLessThan(1000);
      expect(res.json().errors[0].pointer).toMatch(/^\/(id|customerId)$/);
    }
  });

  it('the catalog keys its customer-id fields with the API id pattern (one rule for every id)', () => {
    const { events } = loadCatalog();
    const idFields = Object.values(events).flatMap((e) =>
      Object.entries(e.data.properties ?? {}).filter(([k]) => k === 'referrerId' || k === 'referredCustomerId'),
    );
    expect(idFields.length).toBeGreaterThan(3);
    for (const [, schema] of idFields) expect(schema.pattern).toBe(idPattern);
  });
});
