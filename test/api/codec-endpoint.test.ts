// The remote codec endpoint (api/routes/codec.ts) as the Temporal UI and CLI call it: Temporal's protocol, a locked
// door (bearer key with the right scope, or the UI token in the path), CORS only for the configured UI origins, and
// errors that name what is wrong, never a silent pass-through of ciphertext.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { EncryptionCodec, generateCodecKey, parseCodecKeys } from '../../worker/payload-codec.ts';
import { codecEndpointFromEnv } from '../../api/codec-settings.ts';
import { apiLoggerOptions } from '../../api/logging.ts';
import { auth, startApi, type ApiFixture } from './support.ts';

const UI_ORIGIN = 'http://127.0.0.1:8233';
const UI_TOKEN = 'u'.repeat(20) + 'i-token-for-the-codec-test';
const codec = new EncryptionCodec(parseCodecKeys(generateCodecKey('k1')));
const customer = { email: 'grace.hopper@navy.example', firstName: 'Grace' };

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (j: { metadata: Record<string, string>; data?: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(j.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(j.data ?? '', 'base64'),
});

describe('POST /codec/decode and /codec/encode (the Temporal UI and CLI codec server)', () => {
  let f: ApiFixture;
  let bare: ApiFixture;

  beforeAll(async () => {
    f = await startApi({ codec: { codec, uiToken: UI_TOKEN, corsOrigins: [UI_ORIGIN] } });
    bare = await startApi(); // JOURNEY_CODEC_KEYS unset
  });
  afterAll(async () => {
    await f?.close();
    await bare?.close();
  });

  const post = (url: string, payloads: unknown[], headers: Record<string, string> = auth('read-key')) =>
    f.api.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: { payloads } });

  it('encodes with the operate scope and decodes with the read scope, in Temporal’s payload JSON', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload(customer)!);
    const encoded = await post('/codec/encode', [plain], auth('ops-key'));
    expect(encoded.statusCode).toBe(200);
    const [sealed] = encoded.json().payloads;
    expect(Buffer.from(sealed.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from('grace').toString('base64').slice(0, 6));

    const decoded = await post('/codec/decode', [sealed, plain]);
    expect(decoded.statusCode).toBe(200);
    const [opened, untouched] = decoded.json().payloads;
    expect(defaultPayloadConverter.fromPayload(fromJson(opened))).toEqual(customer);
    expect(untouched).toEqual(plain); // a payload that was never encrypted comes back as it was

    // A value with no data (undefined is binary/null): decoded, it carries no data, and none of the ciphertext.
    const [emptySealed] = (await post('/codec/encode', [toJson(defaultPayloadConverter.toPayload(undefined)!)], auth('ops-key'))).json()
      .payloads;
    const [empty] = (await post('/codec/decode', [emptySealed])).json().payloads;
    expect(empty.data).toBeUndefined();
    expect(Buffer.from(empty.metadata.encoding, 'base64').toString()).toBe('binary/null');
  });

  it('refuses without a key, and with a key lacking the scope', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(customer)!]);
    expect((await post('/codec/decode', [toJson(sealed)], {})).statusCode).toBe(401);
    expect((await post('/codec/decode', [toJson(sealed)], auth('ingest-key'))).statusCode).toBe(403);
    expect((await post('/codec/encode', [toJson(sealed)], auth('read-key'))).statusCode).toBe(403);
  });

  it('opens the UI door only with the UI token, checked before the body is read', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(customer)!]);
    const ok = await post(`/codec/ui/${UI_TOKEN}/decode`, [toJson(sealed)], { origin: UI_ORIGIN, 'x-namespace': 'default' });
    expect(ok.statusCode).toBe(200);
    expect(defaultPayloadConverter.fromPayload(fromJson(ok.json().payloads[0]))).toEqual(customer);
    expect(ok.headers['access-control-allow-origin']).toBe(UI_ORIGIN);

    const wrong = await post(`/codec/ui/${UI_TOKEN.slice(1)}x/decode`, [toJson(sealed)], { origin: UI_ORIGIN });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().errors[0].pointer).toBe('/token');
    // A broken body behind a wrong token is still only "unauthorized": nothing is told about the body.
    expect((await post(`/codec/ui/nope/decode`, ['not a payload'], {})).statusCode).toBe(401);
    // An API without a UI token has no UI door at all.
    const noDoor = await bare.api.inject({ method: 'POST', url: `/codec/ui/${UI_TOKEN}/decode`, payload: { payloads: [] } });
    expect(noDoor.statusCode).toBe(401);
  });

  it('answers the UI’s CORS preflight for its origin only', async () => {
    const preflight = (origin: string) =>
      f.api.inject({
        method: 'OPTIONS',
        url: `/codec/ui/${UI_TOKEN}/decode`,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.statusCode).toBe(204);
    expect(ui.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(String(ui.headers['access-control-allow-headers'])).toMatch(/x-namespace/);
    expect(String(ui.headers['access-control-allow-methods'])).toMatch(/POST/);
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('names the field of a malformed payload, and a payload it cannot decrypt (422, never the ciphertext as if decoded)', async () => {
    const bad = await post('/codec/decode', [{ metadata: { encoding: 'not base64!' } }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/payloads/0/metadata/encoding');
    const missing = await f.api.inject({ method: 'POST', url: '/codec/decode', headers: auth('read-key'), payload: { items: [] } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/payloads');

    const foreign = new EncryptionCodec(parseCodecKeys(generateCodecKey('k9')));
    const [sealed] = await foreign.encode([defaultPayloadConverter.toPayload(customer)!]);
    const plain = toJson(defaultPayloadConverter.toPayload('fine')!);
    const res = await post('/codec/decode', [plain, toJson(sealed)]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'undecodable_payload', errors: [{ pointer: '/payloads/1' }] });
    expect(res.json().message).toMatch(/key "k9", which JOURNEY_CODEC_KEYS does not list/);
  });

  it('answers 404 naming JOURNEY_CODEC_KEYS when the API has no keys', async () => {
    const res = await bare.api.inject({ method: 'POST', url: '/codec/decode', headers: auth('read-key'), payload: { payloads: [] } });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain('JOURNEY_CODEC_KEYS is not set');
  });

  it('never logs the UI token: the request line masks it', () => {
    const serializers = (apiLoggerOptions() as { serializers: { req(r: object): { url: string } } }).serializers;
    const line = serializers.req({ id: '1', method: 'POST', url: `/codec/ui/${UI_TOKEN}/decode` });
    expect(line.url).toBe('/codec/ui/[redacted]/decode');
  });
});

describe('the codec endpoint settings (JOURNEY_CODEC_UI_TOKEN, JOURNEY_CODEC_CORS_ORIGINS)', () => {
  it('defaults to the dev server UI origins and refuses malformed values by name', () => {
    expect(codecEndpointFromEnv({}, undefined).corsOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(codecEndpointFromEnv({ JOURNEY_CODEC_CORS_ORIGINS: 'https://ui.acme.example' }, undefined).corsOrigins).toEqual([
      'https://ui.acme.example',
    ]);
    expect(() => codecEndpointFromEnv({ JOURNEY_CODEC_CORS_ORIGINS: 'https://ui.acme.example/' }, undefined)).toThrow(
      /JOURNEY_CODEC_CORS_ORIGINS: "https:\/\/ui.acme.example\/" is not an origin/,
    );
    expect(() => codecEndpointFromEnv({ JOURNEY_CODEC_UI_TOKEN: 'short' }, undefined)).toThrow(/JOURNEY_CODEC_UI_TOKEN must be 32-256/);
    expect(codecEndpointFromEnv({ JOURNEY_CODEC_UI_TOKEN: 'a'.repeat(32) }, undefined).uiToken).toBe('a'.repeat(32));
  });
});
