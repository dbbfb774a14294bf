// Each defect the fuzzer (test/fuzz.test.ts) found at the API's doors, pinned by the request that showed it: every
// 4xx in the one error shape naming the field, and no 5xx for input no retry can fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, event, newCustomer, startApi, type ApiFixture } from './api/support.ts';
import { sendRaw } from './fuzz-http.ts';
import { errorShapeProblems } from './fuzz-checks.ts';
import { unsubscribeToken, unsubscribeSecretFromEnv } from '../activities/email/unsubscribe-link.ts';

const REFERRAL_SECRET = 'fuzz-found-referral-secret-0123456789';

describe('what the fuzzer found at the API (each fixed at the root)', () => {
  let f: ApiFixture;
  let port: number;
  beforeAll(async () => {
    f = await startApi({
      temporalCallTimeoutMs: 5000,
      referralCodeSecret: REFERRAL_SECRET,
      postmark: { basicAuth: { username: 'postmark', password: 'fuzz-found-password' } },
    });
    const base = await f.api.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(base).port);
  });
  afterAll(() => f?.close());

  const shapeOf = (body: string) => errorShapeProblems(JSON.parse(body));

  it.each([
    ['no key (401)', { method: 'GET', url: '/v1/definitions' }, 401, { in: 'header', pointer: '/authorization' }],
    [
      'a key without the scope (403)',
      { method: 'POST', url: '/v1/events', headers: auth('read-key'), payload: {} },
      403,
      { pointer: '/authorization' },
    ],
    ['no route (404)', { method: 'GET', url: '/v1/nothing', headers: auth() }, 404, { in: 'path', pointer: '' }],
    [
      'a run that is not running (404)',
      { method: 'GET', url: '/v1/journeys/nps-promoter-referral/runs/nobody-here', headers: auth() },
      404,
      { pointer: '/customerId' },
    ],
    [
      'bad JSON (400)',
      { method: 'POST', url: '/v1/events', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"a":NaN}' },
      400,
      { in: 'body', pointer: '' },
    ],
    [
      'a __proto__ key (400)',
      { method: 'POST', url: '/v1/events', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' },
      400,
      { in: 'body' },
    ],
    [
      'a wrong content type (415)',
      { method: 'POST', url: '/v1/events', headers: { ...auth(), 'content-type': 'application/xml' }, payload: '<x/>' },
      415,
      { in: 'header', pointer: '/content-type' },
    ],
    [
      'a body over the limit (413)',
      {
        method: 'POST',
        url: '/v1/events',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: JSON.stringify({ a: 'x'.repeat(300_000) }),
      },
      413,
      { in: 'body' },
    ],
  ] as const)('%s is in the one error shape with a pointer', async (_name, request, status, problem) => {
    const res = await f.api.inject(request as never);
    expect(res.statusCode, res.body).toBe(status);
    expect(shapeOf(res.body), res.body).toEqual([]);
    expect(res.json().errors[0]).toMatchObject(problem);
  });

  it('a method a path is not served with is a 405 naming the methods it is (was a 404)', async () => {
    const res = await f.api.inject({ method: 'DELETE', url: '/v1/customers/ada', headers: auth() });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, PUT');
    expect(shapeOf(res.body)).toEqual([]);
  });

  it("a URL past Node's 16 KB is a 414 in the error shape (was fastify's own 431 body, no pointer, no request id)", async () => {
    const res = await sendRaw('127.0.0.1', port, { method: 'GET', path: `/v1/customers/a?${'q'.repeat(20_000)}`, headers: auth() });
    expect(res.status).toBe(414);
    expect(shapeOf(res.body)).toEqual([]);
    const headers = await sendRaw('127.0.0.1', port, { method: 'GET', path: '/healthz', headers: { 'x-big': 'h'.repeat(20_000) } });
    expect(headers.status).toBe(431);
    expect(JSON.parse(headers.body).errors[0]).toMatchObject({ in: 'header' });
  });

  it('an unsubscribe link signed for an id the API never accepts is not valid (404), not a 503 retried for ever', async () => {
    const secret = unsubscribeSecretFromEnv({ JOURNEY_REFERRAL_CODE_SECRET: REFERRAL_SECRET });
    for (const id of ['a\ud83d', 'x'.repeat(2000), '..']) {
      const res = await f.api.inject({
        method: 'POST',
        url: `/u/${unsubscribeToken(secret, id, 'nps-promoter-referral')}/undo`,
        headers: { accept: 'application/json' },
      });
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().errors[0]).toMatchObject({ in: 'path', pointer: '/token' });
    }
  });

  it('a 2 MB trait is refused at the door (was signalled to Temporal, which refuses payloads over 2 MB: a 503 for ever)', async () => {
    const put = await f.api.inject({
      method: 'PUT',
      url: `/v1/customers/${newCustomer('big')}`,
      headers: auth(),
      payload: { firstName: 'x'.repeat(2_100_000) },
    });
    expect(put.statusCode).toBe(413);
    expect(shapeOf(put.body)).toEqual([]);
    const long = await f.api.inject({
      method: 'PUT',
      url: `/v1/customers/${newCustomer('big')}`,
      headers: auth(),
      payload: { firstName: 'x'.repeat(201) },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0]).toMatchObject({ pointer: '/firstName' });
  });

  it('a batch item larger than a single event may be is refused with its pointer (was a 3 MB signal: a 503 for ever)', async () => {
    const big = event(newCustomer('big'), { data: { score: 9, comment: 'x'.repeat(3 * 1024 * 1024) } });
    const res = await f.api.inject({ method: 'POST', url: '/v1/events/batch', headers: auth(), payload: { events: [big] } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 0, rejected: 1, failed: 0 });
    expect(res.json().results[0].errors[0]).toMatchObject({ pointer: '/events/0' });
  });

  it('a Postmark webhook with a megabyte field is refused with 422 naming it (was a 2 MB event Temporal refuses: a 503 Postmark retries for ever)', async () => {
    const res = await f.api.inject({
      method: 'POST',
      url: '/v1/webhooks/postmark',
      headers: {
        authorization: `Basic ${Buffer.from('postmark:fuzz-found-password').toString('base64')}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({
        RecordType: 'SpamComplaint',
        ID: 225980086,
        MessageID: 'm-1',
        MessageStream: '"'.repeat(1024 * 1024),
        Metadata: { customer: newCustomer('pm'), journey: 'nps-promoter-referral' },
      }),
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
    expect(shapeOf(res.body)).toEqual([]);
  });
});
