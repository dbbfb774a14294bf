// The fuzzer's HTTP requests: for every route the API serves (api/server.ts, api/routes/*), a valid request as a
// starting point, then one mutation drawn from the seed: a field replaced by a hostile value, a megabyte string,
// nesting past any limit, an edge number written as raw JSON, bad JSON, a wrong content type, a hostile id in the
// path, a wrong method, missing or invalid credentials. Pure: the same seed gives the same requests.
import type { RawRequest } from './fuzz-http.ts';
import {
  DEPTHS,
  EDGE_NUMBERS,
  HOSTILE_IDS,
  RAW_NUMBER_LITERALS,
  anyValue,
  encodeAll,
  hostileString,
  hugeString,
  nestedJson,
  pathSegment,
  unicodeString,
  type Rng,
} from './fuzz-values.ts';

export interface FuzzTarget {
  /** Valid customer ids of this campaign: the events about them start real runs. */
  customers: readonly string[];
  journeys: readonly string[];
  keys: { all: string; ingest: string; read: string; operate: string };
  postmark: { username: string; password: string };
  /** A valid unsubscribe token for (customer, journey), and one signed for any id (the secret is the fuzzer's). */
  unsubscribeToken: (customerId: string, journeyId: string) => string;
  /** A valid journey definition (a shipped file), for POST /v1/definitions/validate. */
  definition: Record<string, unknown>;
}

export interface FuzzCase {
  /** The route as the server declares it, e.g. `POST /v1/customers/:id`; `unrouted` for paths no route serves. */
  route: string;
  mutation: string;
  request: RawRequest;
}

/** The address the fuzzer gives each customer, so a message or trait that reached another customer's run shows. */
export const addressOf = (customerId: string) => `${customerId.replace(/[^A-Za-z0-9._+-]/g, '_')}@fuzz.example`;

const EVENT_DATA: Record<string, () => Record<string, unknown>> = {
  'nps.submitted': () => ({ score: 10, comment: 'love it' }),
  'csat.submitted': () => ({ score: 5 }),
  'support.case_closed': () => ({ caseId: 'case-1', praise: true, csat: 5 }),
  'milestone.reached': () => ({ milestone: 'go-live' }),
  'contract.renewed': () => ({ arr: 50_000, termMonths: 12 }),
  'qbr.completed': () => ({ sentiment: 'positive', referralIntent: true }),
  'escalation.opened': () => ({ escalationId: 'esc-1', severity: 'high' }),
  'escalation.resolved': () => ({ escalationId: 'esc-1' }),
  'referral.submitted': () => ({ referralId: 'ref-1', referredEmail: 'friend@fuzz.example' }),
  'deal.closed_won': () => ({ referralId: 'ref-1', amount: 1000 }),
  'customer.opted_out': () => ({ source: 'fuzz' }),
  'email.bounced': () => ({ bounceType: 'HardBounce' }),
};

let eventCounter = 0;
function validEvent(rng: Rng, t: FuzzTarget, seedTag: string): Record<string, unknown> {
  const customerId = rng.pick(t.customers);
  const type = rng.pick(Object.keys(EVENT_DATA));
  return {
    id: `fz-${seedTag}-${eventCounter++}`,
    type,
    customerId,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + rng.int(1e9)).toISOString(),
    data: EVENT_DATA[type](),
    ...(rng.chance(0.5) ? { traits: { email: addressOf(customerId), firstName: 'Fuzz', timezone: 'Europe/Berlin' } } : {}),
  };
}

interface RouteSpec {
  route: string;
  method: string;
  /** The path with its parameters filled in (each parameter value already a path segment). */
  path: (params: Record<string, string>) => string;
  params: string[];
  scope?: keyof FuzzTarget['keys'] | 'postmark' | 'none';
  body?: (rng: Rng) => unknown;
  query?: (rng: Rng) => Record<string, string>;
  weight: number;
}

/** Every route of the API (test/fuzz.test.ts checks this list against the served OpenAPI document). */
export function routeSpecs(t: FuzzTarget, seedTag: string): RouteSpec[] {
  const action = (rng: Rng) => (rng.chance(0.3) ? {} : { actor: 'fuzz', reason: 'fuzzing' });
  const runAction = (name: string): RouteSpec => ({
    route: `POST /v1/journeys/:journeyId/runs/:customerId/${name}`,
    method: 'POST',
    path: (p) => `/v1/journeys/${p.journeyId}/runs/${p.customerId}/${name}`,
    params: ['journeyId', 'customerId'],
    scope: 'operate',
    body: action,
    weight: 2,
  });
  return [
    { route: 'GET /healthz', method: 'GET', path: () => '/healthz', params: [], scope: 'none', weight: 1 },
    { route: 'GET /metrics', method: 'GET', path: () => '/metrics', params: [], scope: 'none', weight: 1 },
    { route: 'GET /openapi.json', method: 'GET', path: () => '/openapi.json', params: [], scope: 'none', weight: 1 },
    { route: 'GET /docs', method: 'GET', path: () => '/docs', params: [], scope: 'none', weight: 1 },
    { route: 'GET /u/:token', method: 'GET', path: (p) => `/u/${p.token}`, params: ['token'], scope: 'none', weight: 3 },
    { route: 'POST /u/:token', method: 'POST', path: (p) => `/u/${p.token}`, params: ['token'], scope: 'none', weight: 3 },
    { route: 'POST /u/:token/undo', method: 'POST', path: (p) => `/u/${p.token}/undo`, params: ['token'], scope: 'none', weight: 2 },
    {
      route: 'POST /v1/events',
      method: 'POST',
      path: () => '/v1/events',
      params: [],
      scope: 'ingest',
      body: (rng) => validEvent(rng, t, seedTag),
      weight: 14,
    },
    {
      route: 'POST /v1/events/batch',
      method: 'POST',
      path: () => '/v1/events/batch',
      params: [],
      scope: 'ingest',
      body: (rng) => ({ events: Array.from({ length: 1 + rng.int(4) }, () => validEvent(rng, t, seedTag)) }),
      weight: 8,
    },
    {
      route: 'PUT /v1/customers/:id',
      method: 'PUT',
      path: (p) => `/v1/customers/${p.id}`,
      params: ['id'],
      scope: 'ingest',
      body: () => ({ firstName: 'Fuzz', timezone: 'Asia/Tokyo', segment: 'smb' }),
      weight: 5,
    },
    { route: 'GET /v1/customers/:id', method: 'GET', path: (p) => `/v1/customers/${p.id}`, params: ['id'], scope: 'read', weight: 4 },
    {
      route: 'POST /v1/customers/:id/opt-out',
      method: 'POST',
      path: (p) => `/v1/customers/${p.id}/opt-out`,
      params: ['id'],
      scope: 'operate',
      body: action,
      weight: 2,
    },
    {
      route: 'POST /v1/customers/:id/hand-over',
      method: 'POST',
      path: (p) => `/v1/customers/${p.id}/hand-over`,
      params: ['id'],
      scope: 'operate',
      body: action,
      weight: 2,
    },
    {
      route: 'GET /v1/journeys/:journeyId/runs/:customerId',
      method: 'GET',
      path: (p) => `/v1/journeys/${p.journeyId}/runs/${p.customerId}`,
      params: ['journeyId', 'customerId'],
      scope: 'read',
      weight: 4,
    },
    ...['pause', 'resume', 'cancel', 'skip-wait', 'hand-over'].map(runAction),
    ...(['decode', 'encode'] as const).map((op): RouteSpec => ({
      route: `POST /codec/${op}`,
      method: 'POST',
      path: () => `/codec/${op}`,
      params: [],
      scope: op === 'decode' ? 'read' : 'operate',
      // Temporal's remote codec body: payloads with base64 metadata and data (here a JSON string, as the SDK sends).
      body: (rng) => ({
        payloads: Array.from({ length: 1 + rng.int(3) }, () => ({
          metadata: { encoding: Buffer.from('json/plain').toString('base64') },
          data: Buffer.from(JSON.stringify({ customerId: rng.pick(t.customers) })).toString('base64'),
        })),
      }),
      weight: 1,
    })),
    { route: 'GET /v1/definitions', method: 'GET', path: () => '/v1/definitions', params: [], scope: 'read', weight: 2 },
    {
      route: 'POST /v1/definitions/validate',
      method: 'POST',
      path: () => '/v1/definitions/validate',
      params: [],
      scope: 'read',
      body: () => structuredClone(t.definition),
      weight: 3,
    },
    { route: 'POST /v1/definitions/reload', method: 'POST', path: () => '/v1/definitions/reload', params: [], scope: 'operate', weight: 1 },
    {
      route: 'GET /v1/reports/kpis',
      method: 'GET',
      path: () => '/v1/reports/kpis',
      params: [],
      scope: 'read',
      query: (rng): Record<string, string> =>
        rng.chance(0.5) ? { by: 'journey,week', journeyId: rng.pick(t.journeys) } : { kpi: 'ask-rate', from: '2026-01-01T00:00:00Z' },
      weight: 1,
    },
    {
      route: 'POST /v1/webhooks/postmark',
      method: 'POST',
      path: () => '/v1/webhooks/postmark',
      params: [],
      scope: 'postmark',
      body: (rng) => ({
        ...rng.pick<Record<string, unknown>>([
          { RecordType: 'Bounce', Type: 'HardBounce', ID: 4323372036854775000, BouncedAt: '2026-01-01T00:00:00Z' },
          { RecordType: 'Bounce', Type: 'SoftBounce', ID: rng.int(1e9) },
          { RecordType: 'SpamComplaint', ID: rng.int(1e9) },
          {
            RecordType: 'SubscriptionChange',
            SuppressSending: true,
            SuppressionReason: 'ManualSuppression',
            ChangedAt: '2026-01-01T00:00:00Z',
          },
        ]),
        MessageID: `m-${rng.int(1e9)}`,
        MessageStream: 'outbound',
        Metadata: { customer: rng.pick(t.customers), journey: rng.pick(t.journeys) },
      }),
      weight: 4,
    },
    { route: 'GET /v1/outbox', method: 'GET', path: () => '/v1/outbox', params: [], scope: 'read', weight: 1 },
  ];
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/jsonx',
  'json',
  '',
  '*/*',
  'application/json\u0000',
];

const BAD_JSON = [
  '{',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '\ufeff{}',
  '{"a":1}{"b":2}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  'null',
  '[]',
  '"string"',
  '0',
  '',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '\u0000',
];

function authHeaders(rng: Rng, spec: RouteSpec, t: FuzzTarget): { headers: Record<string, string>; mutation?: string } {
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const good = spec.scope === 'postmark' ? basic(t.postmark.username, t.postmark.password) : `Bearer ${t.keys.all}`;
  const roll = rng.int(100);
  if (spec.scope === 'none' || roll >= 12) return { headers: spec.scope === 'none' ? {} : { authorization: good } };
  const bad = rng.pick([
    ['auth-missing', undefined],
    ['auth-wrong-key', 'Bearer not-a-key'],
    ['auth-wrong-scheme', basic('all', t.keys.all)],
    ['auth-empty-bearer', 'Bearer '],
    ['auth-wrong-scope', `Bearer ${spec.scope === 'read' ? t.keys.ingest : t.keys.read}`],
    ['auth-huge', `Bearer ${'k'.repeat(8000)}`],
    ['auth-latin1', `Bearer ${t.keys.all}\u00e9`],
    ['auth-basic-garbage', 'Basic !!!!'],
    ['auth-basic-wrong', basic(t.postmark.username, 'wrong')],
  ] as const);
  return { headers: bad[1] === undefined ? {} : { authorization: bad[1] }, mutation: bad[0] };
}

/** A path segment for a parameter: mostly valid, sometimes hostile. */
function paramValue(rng: Rng, name: string, t: FuzzTarget): { value: string; hostile: boolean } {
  if (name === 'token') {
    if (rng.chance(0.4)) return { value: t.unsubscribeToken(rng.pick(t.customers), rng.pick(t.journeys)), hostile: false };
    if (rng.chance(0.3)) return { value: pathSegment(rng, t.unsubscribeToken(hostileString(rng), unicodeString(rng))), hostile: true };
    return { value: pathSegment(rng, hostileString(rng)), hostile: true };
  }
  if (rng.chance(0.75)) return { value: name === 'journeyId' ? rng.pick(t.journeys) : rng.pick(t.customers), hostile: false };
  return { value: pathSegment(rng, rng.chance(0.6) ? rng.pick(HOSTILE_IDS) : hostileString(rng)), hostile: true };
}

/** A random path inside an object (to replace or nest at), or [] for the root. */
function somePath(rng: Rng, value: unknown): string[] {
  const path: string[] = [];
  let at = value;
  while (at && typeof at === 'object' && rng.chance(0.7)) {
    const keys = Object.keys(at);
    if (keys.length === 0) break;
    const k = rng.pick(keys);
    path.push(k);
    at = (at as Record<string, unknown>)[k];
  }
  return path;
}

function setAt(root: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = path.slice(0, -1).reduce((o, k) => (o as Record<string, unknown>)[k], root) as Record<string, unknown>;
  parent[path[path.length - 1]] = value;
  return root;
}

const MARK = '"@@FUZZ_RAW@@"';

/** One request: a route, credentials, parameters, then at most one body mutation (or a transport-level one). */
export function generateCase(rng: Rng, t: FuzzTarget, specs: RouteSpec[]): FuzzCase {
  const total = specs.reduce((n, s) => n + s.weight, 0);
  let roll = rng.int(total);
  const spec = specs.find((s) => (roll -= s.weight) < 0)!;
  const mutations: string[] = [];
  const auth = authHeaders(rng, spec, t);
  if (auth.mutation) mutations.push(auth.mutation);
  const params: Record<string, string> = {};
  for (const name of spec.params) {
    const p = paramValue(rng, name, t);
    params[name] = p.value;
    if (p.hostile) mutations.push(`hostile-${name}`);
  }
  let path = spec.path(params);
  let method = spec.method;
  const headers: Record<string, string> = { accept: rng.chance(0.1) ? 'text/html' : 'application/json', ...auth.headers };
  let body: string | undefined;
  let value = spec.body?.(rng);
  const query = spec.query?.(rng);

  const kind = rng.int(100);
  if (kind < 12) {
    // A valid request (with whatever credentials and parameters were drawn).
  } else if (kind < 17) {
    method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'].filter((m) => m !== spec.method));
    mutations.push('wrong-method');
  } else if (kind < 22) {
    path = rng.pick([
      `${path}/extra`,
      `${path}/..`,
      `${path}%2F..%2Fhealthz`,
      `/v2${path}`,
      `${path}//`,
      `/v1/${encodeAll(unicodeString(rng))}`,
    ]);
    mutations.push('unrouted-path');
  } else if (kind < 26 && query !== undefined) {
    query[rng.pick(['journeyId', 'version', 'from', 'to', 'by', 'kpi', 'cohort', 'extra', 'motion'])] = String(
      rng.pick([...EDGE_NUMBERS, hostileString(rng)]),
    );
    mutations.push('query-field');
  } else if (kind < 29) {
    path = `${path}?${encodeAll(hostileString(rng))}=${encodeAll(hostileString(rng))}&${'q'.repeat(rng.pick([1, 2000]))}=%ZZ`;
    mutations.push('query-junk');
  } else if (value !== undefined || kind < 40) {
    const m = rng.int(9);
    if (m === 0) {
      body = rng.pick(BAD_JSON);
      mutations.push('bad-json');
    } else if (m === 1) {
      headers['content-type'] = rng.pick(CONTENT_TYPES);
      body = value === undefined ? 'x=1' : JSON.stringify(value);
      mutations.push('wrong-content-type');
    } else if (m === 2) {
      const path2 = somePath(rng, value);
      const depth = rng.pick(DEPTHS);
      body = JSON.stringify(setAt(value ?? {}, path2, '@@FUZZ_RAW@@')).replace(MARK, nestedJson(depth, rng.pick(['array', 'object'])));
      mutations.push(`deep-nesting-${depth}`);
    } else if (m === 3) {
      body = JSON.stringify(setAt(value ?? {}, somePath(rng, value), '@@FUZZ_RAW@@')).replace(MARK, rng.pick(RAW_NUMBER_LITERALS));
      mutations.push('raw-number');
    } else if (m === 4) {
      value = setAt(
        value ?? {},
        somePath(rng, value),
        hugeString(rng, rng.pick([256 * 1024, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024])),
      );
      mutations.push('huge-string');
    } else if (m === 5) {
      value = setAt(value ?? {}, somePath(rng, value), rng.pick(EDGE_NUMBERS));
      mutations.push('edge-number');
    } else if (m === 6 && value && typeof value === 'object') {
      (value as Record<string, unknown>)[rng.chance(0.5) ? hostileString(rng) : rng.pick(['extra', '__proto__', 'constructor'])] =
        anyValue(rng);
      mutations.push('extra-field');
    } else if (m === 7 && value && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length > 0) delete (value as Record<string, unknown>)[rng.pick(keys)];
      mutations.push('missing-field');
    } else {
      value = setAt(value ?? {}, somePath(rng, value), rng.chance(0.5) ? hostileString(rng) : anyValue(rng));
      mutations.push('hostile-value');
    }
  }
  if (body === undefined && value !== undefined && method !== 'GET' && method !== 'HEAD') body = JSON.stringify(value);
  if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
  if (query && !path.includes('?')) path = `${path}?${new URLSearchParams(query).toString()}`;
  return { route: spec.route, mutation: mutations.join('+') || 'valid', request: { method, path, headers, body } };
}
