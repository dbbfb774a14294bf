// Bearer keys with scopes: no token is 401, a key without the route's scope is 403, keys compare in constant time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findApiKey, parseApiKeys } from '../../api/auth.ts';
import { auth, startApi, type ApiFixture } from './support.ts';

describe('API keys from configuration', () => {
  it('reads key:scope+scope entries, and a plain key has every scope (backward compatible)', () => {
    const keys = parseApiKeys('plain, svc:ingest , ops:operate+read');
    expect(keys.map((k) => [...k.scopes].sort())).toEqual([['ingest', 'operate', 'read'], ['ingest'], ['operate', 'read']]);
    expect(findApiKey('Bearer svc', keys)?.scopes.has('ingest')).toBe(true);
    expect(findApiKey('Bearer sv', keys)).toBeUndefined();
    expect(findApiKey('svc', keys)).toBeUndefined();
  });

  it('refuses an unknown scope with a message naming it', () => {
    expect(() => parseApiKeys('k:ingest+admin')).toThrow(/unknown scope "admin"/);
  });
});

describe('the API checks every /v1 request for a key with the right scope', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('no token → 401 with a WWW-Authenticate challenge', async () => {
    const res = await f.api.inject({ method: 'GET', url: '/v1/definitions' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('a wrong key → 401', async () => {
    const res = await f.api.inject({ method: 'GET', url: '/v1/definitions', headers: auth('nope') });
    expect(res.statusCode).toBe(401);
  });

  it('an ingest-only key cannot read or operate → 403; a read key cannot ingest → 403', async () => {
    expect((await f.api.inject({ method: 'GET', url: '/v1/definitions', headers: auth('ingest-key') })).statusCode).toBe(403);
    expect((await f.api.inject({ method: 'POST', url: '/v1/definitions/reload', headers: auth('read-key') })).statusCode).toBe(403);
    const res = await f.api.inject({ method: 'POST', url: '/v1/events', headers: auth('read-key'), payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('ingest');
  });

  it('a key with the scope passes', async () => {
    expect((await f.api.inject({ method: 'GET', url: '/v1/definitions', headers: auth('read-key') })).statusCode).toBe(200);
  });

  it('echoes the request id', async () => {
    const res = await f.api.inject({ method: 'GET', url: '/v1/definitions', headers: { ...auth(), 'x-request-id': 'req-123' } });
    expect(res.headers['x-request-id']).toBe('req-123');
  });
});
