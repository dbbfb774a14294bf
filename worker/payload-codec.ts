// Customer data (emails, names, traits, event payloads) is encrypted before it reaches Temporal: every payload in a
// history (workflow and activity inputs and results, signals, updates, queries, memo, continue-as-new, failure
// details) goes through this PayloadCodec on the client and the worker. AES-256-GCM with a random 12-byte IV per
// payload; the key id rides in the payload's metadata, so keys rotate: the newest key encrypts, every listed key
// decrypts. The key id is also the GCM associated data, so a payload whose key id was swapped fails authentication
// instead of decrypting under the wrong key. Workflow code never sees this module: codecs run outside the sandbox.
//
// JOURNEY_CODEC_KEYS="k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>"   newest first; `openssl rand -base64 32`
//
// A payload of COMPRESS_FROM_BYTES or more is deflated before it is sealed (ciphertext does not compress): a run's
// start input and each continue-as-new carry the whole compiled plan, about 11 KB of JSON that deflates to 3 KB, so
// every open run and every cycle stores a quarter of those bytes. The compression is named in the metadata and bound
// into the associated data, so it cannot be switched on a stored payload. JOURNEY_CODEC_COMPRESS=0 seals without it
// (for the first step of an upgrade from a build that cannot read compressed payloads: docs/production.md).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
// A CommonJS package whose namespace Node's ESM loader cannot see through: the default export is its module.exports.
import proto from '@temporalio/proto';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

export const CODEC_KEYS_VARIABLE = 'JOURNEY_CODEC_KEYS';
/** The encoding Temporal's tools (UI, CLI) show for a payload they cannot read without the codec. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const COMPRESS_VARIABLE = 'JOURNEY_CODEC_COMPRESS';
/** Names the compression of the sealed bytes; absent: the sealed bytes are the payload itself. */
export const COMPRESSION_METADATA = 'encryption-compression';
const DEFLATE = 'deflate-raw';
/** Smaller payloads (an event, an activity's answer) are sealed as they are: deflate gains little there. */
export const COMPRESS_FROM_BYTES = 1024;
/** No payload this engine writes comes near this (Temporal refuses payloads over 2 MB); a bound on what inflating may make. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** A setting that cannot work: the message names the variable and the entry, never a key's bytes. */
export class CodecKeysError extends Error {}

/** A payload this process cannot decrypt: its key is not listed, or the key under that id is another one. */
export class PayloadDecryptError extends Error {}

/** Parses `id:base64,...` (newest first). Throws CodecKeysError naming the variable and the faulty entry. */
export function parseCodecKeys(spec: string, variable = CODEC_KEYS_VARIABLE): CodecKey[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new CodecKeysError(`${variable} is empty: list at least one key as <id>:<base64 of 32 bytes>`);
  const keys: CodecKey[] = [];
  entries.forEach((entry, i) => {
    const sep = entry.indexOf(':');
    const where = `${variable} entry ${i + 1}`;
    if (sep === -1)
      throw new CodecKeysError(`${where} has no key id: write it as <id>:<base64 of 32 bytes>, e.g. k1:$(openssl rand -base64 32)`);
    const id = entry.slice(0, sep);
    const material = entry.slice(sep + 1);
    if (!KEY_ID.test(id))
      throw new CodecKeysError(`${where}: the key id ${JSON.stringify(id.slice(0, 70))} must be 1-64 letters, digits, '_', '.' or '-'`);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material))
      throw new CodecKeysError(`${where} (id "${id}"): the key is not base64 (generate one with \`openssl rand -base64 32\`)`);
    const key = Buffer.from(material, 'base64');
    if (key.length !== KEY_BYTES)
      throw new CodecKeysError(`${where} (id "${id}"): the key is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
    if (keys.some((k) => k.id === id)) throw new CodecKeysError(`${where}: the key id "${id}" is listed twice`);
    keys.push({ id, key });
  });
  return keys;
}

/** A new random key in the setting's form, for `npm start`'s dev key and the operator's rotation step. */
export function generateCodecKey(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);
const associatedData = (keyId: string, compressed: boolean) =>
  Buffer.from(`journey-engine payload codec v1 key ${keyId}${compressed ? ` ${DEFLATE}` : ''}`, 'utf8');

export interface CodecOptions {
  /** Deflate payloads of COMPRESS_FROM_BYTES or more before sealing them (default true). Reading never depends on it. */
  compress?: boolean;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly newest: CodecKey;
  private readonly compress: boolean;

  /** `keys` newest first: the first encrypts, all of them decrypt. */
  constructor(keys: readonly CodecKey[], options: CodecOptions = {}) {
    if (keys.length === 0) throw new CodecKeysError('the payload codec needs at least one key');
    this.newest = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.compress = options.compress ?? true;
  }

  /** Whether payloads of COMPRESS_FROM_BYTES or more are deflated before they are sealed. */
  get compresses(): boolean {
    return this.compress;
  }

  get encryptingKeyId(): string {
    return this.newest.id;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    // The whole payload is sealed, its metadata too: the encoding says what the data was (json/plain, a protobuf
    // type name), which is nobody's business without the key.
    const plain = PayloadMessage.encode(payload).finish();
    const deflated = this.compress && plain.length >= COMPRESS_FROM_BYTES ? deflateRawSync(plain) : undefined;
    const compressed = deflated !== undefined && deflated.length < plain.length;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.newest.key, iv);
    cipher.setAAD(associatedData(this.newest.id, compressed));
    const sealed = Buffer.concat([iv, cipher.update(compressed ? deflated : plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8(this.newest.id),
        ...(compressed ? { [COMPRESSION_METADATA]: utf8(DEFLATE) } : {}),
      },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    // Payloads written before encryption was turned on (or by a tool without the codec) pass as they are.
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecryptError(`an encrypted payload carries no "${KEY_ID_METADATA}": it was not written by this codec`);
    const key = this.byId.get(keyId);
    if (!key) {
      throw new PayloadDecryptError(
        `a payload is encrypted with key "${keyId}", which ${CODEC_KEYS_VARIABLE} does not list (it has ${this.keyIds.map((k) => `"${k}"`).join(', ')}): ` +
          'add the retired key back to the end of the list',
      );
    }
    const compression = text(payload.metadata?.[COMPRESSION_METADATA]);
    if (compression !== undefined && compression !== DEFLATE)
      throw new PayloadDecryptError(
        `a payload (key "${keyId}") names the compression ${JSON.stringify(compression.slice(0, 40))}, which this build cannot read`,
      );
    const compressed = compression === DEFLATE;
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptError(`an encrypted payload (key "${keyId}") is truncated`);
    let opened: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(associatedData(keyId, compressed));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      opened = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptError(
        `a payload encrypted with key "${keyId}" failed authentication: ${CODEC_KEYS_VARIABLE} holds a different key under that id, or the payload was altered`,
      );
    }
    // Authenticated: only this codec, with the key, sealed these bytes.
    return PayloadMessage.decode(compressed ? inflateRawSync(opened, { maxOutputLength: MAX_INFLATED_BYTES }) : opened);
  }
}

/** The codec JOURNEY_CODEC_KEYS describes, or undefined when it is unset (payloads then travel as they are). */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  const spec = env[CODEC_KEYS_VARIABLE];
  if (spec === undefined || spec.trim() === '') return undefined;
  return new EncryptionCodec(parseCodecKeys(spec), { compress: compressFromEnv(env) });
}

/** JOURNEY_CODEC_COMPRESS: unset or 1 compresses, 0 does not; anything else is an error naming the variable. */
export function compressFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[COMPRESS_VARIABLE]?.trim();
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new CodecKeysError(
    `${COMPRESS_VARIABLE} must be 1 (deflate large payloads before sealing them) or 0, got ${JSON.stringify(value.slice(0, 40))}`,
  );
}
