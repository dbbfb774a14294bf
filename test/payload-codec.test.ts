// The payload codec on its own (worker/payload-codec.ts): what Temporal stores is ciphertext, keys rotate (the newest
// encrypts, every listed key decrypts), and a payload this process cannot read is a clear error naming the key, never
// garbage handed to the workflow. The same codec on real servers: codec-devserver.test.ts.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure, defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers.js';
import { decodeOptionalFailureToOptionalError, encodeErrorToFailure } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { journeyDataConverter } from '../worker/data-converter.ts';
import { createCipheriv, randomBytes } from 'node:crypto';
import proto from '@temporalio/proto';
import { loadJourneyDir } from '../definitions/loader.ts';
import {
  CodecKeysError,
  COMPRESS_FROM_BYTES,
  COMPRESSION_METADATA,
  compressFromEnv,
  EncryptionCodec,
  generateCodecKey,
  KEY_ID_METADATA,
  parseCodecKeys,
  payloadCodecFromEnv,
  PayloadDecryptError,
} from '../worker/payload-codec.ts';

const K1 = generateCodecKey('k1');
const K2 = generateCodecKey('k2');
const customer = { email: 'ada.lovelace@globex.example', firstName: 'Ada' };
const plainPayload = () => defaultPayloadConverter.toPayload(customer)!;
const bytesOf = (p: Payload) =>
  Buffer.concat([Buffer.from(p.data ?? []), ...Object.values(p.metadata ?? {}).map((v) => Buffer.from(v ?? []))]);
const meta = (p: Payload, key: string) => Buffer.from(p.metadata?.[key] ?? []).toString('utf8');

describe('the payload codec (AES-256-GCM, key id in the metadata)', () => {
  it('stores no byte of the customer data, tags the key, and reads it back exactly', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(K1));
    const [sealed] = await codec.encode([plainPayload()]);
    expect(meta(sealed, METADATA_ENCODING_KEY)).toBe('binary/encrypted');
    expect(meta(sealed, KEY_ID_METADATA)).toBe('k1');
    const stored = bytesOf(sealed).toString('latin1');
    for (const secret of ['ada.lovelace', 'globex', 'Ada', 'json/plain']) expect(stored).not.toContain(secret);
    const [opened] = await codec.decode([sealed]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(customer);
  });

  it('draws a fresh IV for every payload: the same value never gives the same ciphertext', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(K1));
    const [a, b] = await codec.encode([plainPayload(), plainPayload()]);
    expect(Buffer.from(a.data!).subarray(0, 12).equals(Buffer.from(b.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('passes payloads written before encryption through as they are (old histories stay readable)', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(K1));
    const plain = plainPayload();
    const [out] = await codec.decode([plain]);
    expect(out).toBe(plain);
  });

  it('rotates: a payload sealed with k1 opens after k2 is added, and new payloads use k2', async () => {
    const before = new EncryptionCodec(parseCodecKeys(K1));
    const [old] = await before.encode([plainPayload()]);
    const after = new EncryptionCodec(parseCodecKeys(`${K2},${K1}`));
    expect(defaultPayloadConverter.fromPayload((await after.decode([old]))[0])).toEqual(customer);
    const [fresh] = await after.encode([plainPayload()]);
    expect(meta(fresh, KEY_ID_METADATA)).toBe('k2');
    // A process that still has only k1 cannot read what k2 sealed, and says which key it lacks.
    await expect(before.decode([fresh])).rejects.toThrow(/key "k2", which JOURNEY_CODEC_KEYS does not list \(it has "k1"\)/);
  });

  it('refuses a retired key that was dropped too early, naming it', async () => {
    const [old] = await new EncryptionCodec(parseCodecKeys(K1)).encode([plainPayload()]);
    const onlyK2 = new EncryptionCodec(parseCodecKeys(K2));
    await expect(onlyK2.decode([old])).rejects.toBeInstanceOf(PayloadDecryptError);
    await expect(onlyK2.decode([old])).rejects.toThrow(/encrypted with key "k1"/);
  });

  it('refuses a different key under the same id, and a payload whose key id or bytes were altered', async () => {
    const [sealed] = await new EncryptionCodec(parseCodecKeys(K1)).encode([plainPayload()]);
    const impostor = new EncryptionCodec(parseCodecKeys(generateCodecKey('k1')));
    await expect(impostor.decode([sealed])).rejects.toThrow(/key "k1" failed authentication/);

    // The key id is authenticated: relabelling a k1 payload as k2 (a codec that holds both) does not decrypt it.
    const both = new EncryptionCodec(parseCodecKeys(`${K2},${K1}`));
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(both.decode([relabelled])).rejects.toThrow(/key "k2" failed authentication/);

    const flipped = Buffer.from(sealed.data!);
    flipped[20] ^= 1;
    await expect(both.decode([{ ...sealed, data: flipped }])).rejects.toThrow(/failed authentication/);
    await expect(both.decode([{ ...sealed, data: flipped.subarray(0, 10) }])).rejects.toThrow(/truncated/);
  });
});

describe('large payloads deflated before they are sealed', () => {
  // What a run's start input looks like to the codec: the compiled plan, about 11 KB of JSON.
  const largePayload = async () => {
    const { plans } = await loadJourneyDir();
    const plan = plans.find((p) => p.journeyId === 'nps-promoter-referral')!;
    return { value: { plan, customerId: 'cust-1' }, payload: defaultPayloadConverter.toPayload({ plan, customerId: 'cust-1' })! };
  };

  it('stores a run start input in under a third of its bytes, names the compression, and reads it back exactly', async () => {
    const { value, payload } = await largePayload();
    const codec = new EncryptionCodec(parseCodecKeys(K1));
    const [sealed] = await codec.encode([payload]);
    expect(meta(sealed, COMPRESSION_METADATA)).toBe('deflate-raw');
    expect(sealed.data!.length).toBeLessThan(payload.data!.length / 3);
    expect(bytesOf(sealed).toString('latin1')).not.toContain('nps-promoter-referral');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([sealed]))[0])).toEqual(value);
  });

  it(`seals a payload under ${COMPRESS_FROM_BYTES} bytes as it is`, async () => {
    const [sealed] = await new EncryptionCodec(parseCodecKeys(K1)).encode([plainPayload()]);
    expect(sealed.metadata?.[COMPRESSION_METADATA]).toBeUndefined();
  });

  it('with compress off seals without it; reading never depends on the setting', async () => {
    const { value, payload } = await largePayload();
    const off = new EncryptionCodec(parseCodecKeys(K1), { compress: false });
    const on = new EncryptionCodec(parseCodecKeys(K1));
    const [plainSealed] = await off.encode([payload]);
    expect(plainSealed.metadata?.[COMPRESSION_METADATA]).toBeUndefined();
    expect(plainSealed.data!.length).toBeGreaterThan(payload.data!.length);
    const [deflated] = await on.encode([payload]);
    for (const reader of [on, off])
      for (const sealed of [plainSealed, deflated])
        expect(defaultPayloadConverter.fromPayload((await reader.decode([sealed]))[0])).toEqual(value);
  });

  it('reads a payload sealed before compression existed (its associated data names only the key)', async () => {
    const key = Buffer.from(K1.split(':')[1], 'base64');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from('journey-engine payload codec v1 key k1', 'utf8'));
    const plain = proto.temporal.api.common.v1.Payload.encode((await largePayload()).payload).finish();
    const old = {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from('binary/encrypted'), [KEY_ID_METADATA]: Buffer.from('k1') },
      data: Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]),
    };
    const [opened] = await new EncryptionCodec(parseCodecKeys(K1)).decode([old]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual((await largePayload()).value);
  });

  it('refuses a payload whose compression mark was removed, added or changed', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(K1));
    const [deflated] = await codec.encode([(await largePayload()).payload]);
    const { [COMPRESSION_METADATA]: _mark, ...unmarked } = deflated.metadata!;
    await expect(codec.decode([{ ...deflated, metadata: unmarked }])).rejects.toThrow(/key "k1" failed authentication/);
    const [small] = await codec.encode([plainPayload()]);
    const marked = { ...small, metadata: { ...small.metadata, [COMPRESSION_METADATA]: Buffer.from('deflate-raw') } };
    await expect(codec.decode([marked])).rejects.toThrow(/key "k1" failed authentication/);
    const other = { ...deflated, metadata: { ...deflated.metadata, [COMPRESSION_METADATA]: Buffer.from('zstd') } };
    await expect(codec.decode([other])).rejects.toThrow(/names the compression "zstd", which this build cannot read/);
  });

  it('JOURNEY_CODEC_COMPRESS: unset or 1 compresses, 0 does not, anything else names the variable', () => {
    expect(payloadCodecFromEnv({ JOURNEY_CODEC_KEYS: K1 })?.compresses).toBe(true);
    expect(payloadCodecFromEnv({ JOURNEY_CODEC_KEYS: K1, JOURNEY_CODEC_COMPRESS: '1' })?.compresses).toBe(true);
    expect(payloadCodecFromEnv({ JOURNEY_CODEC_KEYS: K1, JOURNEY_CODEC_COMPRESS: '0' })?.compresses).toBe(false);
    expect(() => compressFromEnv({ JOURNEY_CODEC_COMPRESS: 'yes' })).toThrow(/JOURNEY_CODEC_COMPRESS must be 1 .* or 0, got "yes"/);
  });
});

describe('failures under the data converter the engine builds (worker/data-converter.ts)', () => {
  it('encrypts a failure message and stack (a provider error quoting an address), and reads them back', async () => {
    const converter = loadDataConverter(journeyDataConverter(new EncryptionCodec(parseCodecKeys(K1))));
    const error = ApplicationFailure.nonRetryable(`Invalid 'To' address: ${customer.email}`, 'PostmarkError', { to: customer.email });
    const failure = await encodeErrorToFailure(converter, error);
    const stored = JSON.stringify(failure, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(stored).not.toContain(customer.email);
    expect(stored).toContain('binary/encrypted');
    const back = (await decodeOptionalFailureToOptionalError(converter, failure)) as ApplicationFailure;
    expect(back.message).toBe(`Invalid 'To' address: ${customer.email}`);
    expect(back.details).toEqual([{ to: customer.email }]);
  });
});

describe('JOURNEY_CODEC_KEYS', () => {
  const material = K1.split(':')[1];

  it('is optional: unset means no codec', () => {
    expect(payloadCodecFromEnv({})).toBeUndefined();
    expect(payloadCodecFromEnv({ JOURNEY_CODEC_KEYS: '  ' })).toBeUndefined();
    expect(payloadCodecFromEnv({ JOURNEY_CODEC_KEYS: `${K2}, ${K1}` })?.keyIds).toEqual(['k2', 'k1']);
  });

  it.each([
    ['no key id', material, /JOURNEY_CODEC_KEYS entry 1 has no key id/],
    ['a bad key id', `k 1:${material}`, /JOURNEY_CODEC_KEYS entry 1: the key id "k 1" must be/],
    ['not base64', 'k1:not*base64!', /JOURNEY_CODEC_KEYS entry 1 \(id "k1"\): the key is not base64/],
    ['a short key', `k1:${Buffer.alloc(16).toString('base64')}`, /entry 1 \(id "k1"\): the key is 16 bytes; AES-256 needs exactly 32/],
    ['a repeated id', `${K1},${K1.replace('k1', 'k1')}`, /JOURNEY_CODEC_KEYS entry 2: the key id "k1" is listed twice/],
    ['only commas', ',,', /JOURNEY_CODEC_KEYS is empty/],
  ])('refuses %s with a message naming the variable and never the key', (_what, spec, message) => {
    let error: unknown;
    try {
      parseCodecKeys(spec);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodecKeysError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(material);
  });
});
