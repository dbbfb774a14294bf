// The owner's task page /o/<token> is rate limited like the referral form: every request (a view or an answer) counts
// per IP address before the token is read, and a token that opens counts per task before the run is asked. Beyond a
// limit the answer is a friendly 429 page naming the limit, with Retry-After, and nothing reaches Temporal. The API
// runs against the shared dev server; the tasks' runs need not exist (a real task link to a run that is gone is a
// 410 page, which is what the requests under the limit get).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ownerTaskToken } from '../activities/crm/owner-task-link.ts';
import { loadPagesConfig } from '../definitions/pages.ts';
import { RateLimiter, describeLimit } from '../api/pages/rate-limit.ts';
import { startApi, type ApiFixture } from './api/support.ts';

const SECRET = 'owner-limit-secret';
const JOURNEY = 'strategic-reference-advisory';

function taskLink(customerId = `o-${randomUUID().slice(0, 8)}`) {
  const taskId = `journey:${JOURNEY}:${customerId}:1:invite:reference-call:1`;
  return `/o/${ownerTaskToken(SECRET, { taskId, journeyId: JOURNEY, customerId, expiresAt: Date.now() + 86_400_000 })}`;
}

describe('rate limits of the owner task page /o (API on the dev server)', () => {
  let f: ApiFixture;
  let ip = 0;
  /** A request from its own address unless one is named. */
  const get = (url: string, remoteAddress = `10.1.0.${++ip}`) => f.api.inject({ method: 'GET', url, remoteAddress });
  const post = (url: string, remoteAddress = `10.1.0.${++ip}`) =>
    f.api.inject({
      method: 'POST',
      url,
      remoteAddress,
      payload: 'answer=done&csrf=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  beforeAll(async () => {
    const pages = loadPagesConfig();
    pages.ownerTaskPage = { rateLimits: { perIp: { max: 8, window: 'PT1H' }, perToken: { max: 3, window: 'PT1H' } } };
    f = await startApi({ pages, unsubscribeSecret: SECRET });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a task link gets 3 requests an hour from any addresses, then a friendly 429 with Retry-After; other tasks are not held up', async () => {
    const link = taskLink();
    const under = [await get(link), await get(`${link}?answer=done`), await post(link)];
    expect(under.map((r) => r.statusCode)).toEqual([410, 410, 410]);
    for (const res of [await get(link), await post(link)]) {
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(3500);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(3600);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Too many requests');
      expect(res.body).toContain('Rate limit reached: 3 requests per hour per task link');
      expect(res.body).not.toMatch(/at .*\.ts:\d+|Error:/);
    }
    // Forged links count per address only: twenty of them do not crowd another task's count out.
    const other = taskLink();
    for (let i = 0; i < 20; i++) expect((await get(`${other.slice(0, -4)}AAAA`)).statusCode).toBe(404);
    expect((await get(other)).statusCode).toBe(410);
  });

  it('an address gets 8 requests an hour, forged links included, then 429; another address is still served', async () => {
    const from = '10.2.0.1';
    for (let i = 0; i < 8; i++) expect((await get(`/o/forged-${i}.x`, from)).statusCode).toBe(404);
    const limited = await get(taskLink(), from);
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Rate limit reached: 8 requests per hour per IP address');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(taskLink(), from)).statusCode).toBe(429);
    expect((await get(taskLink(), '10.2.0.2')).statusCode).toBe(410);
  });

  it('names what it counts: submissions on the referral form, requests on the task page', () => {
    expect(describeLimit(new RateLimiter({ name: 'per referral code', max: 5, windowMs: 3_600_000 }).rule)).toBe(
      '5 submissions per hour per referral code',
    );
    expect(describeLimit({ name: 'per task link', unit: 'requests', max: 20, windowMs: 600_000 })).toBe(
      '20 requests per 10 minutes per task link',
    );
  });
});
