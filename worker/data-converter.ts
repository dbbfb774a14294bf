// How every Temporal client and worker of this engine turns values into payloads: the SDK's converters, the
// failure converter that moves failure messages into payloads (encoded-failure-converter.cjs), and, when
// JOURNEY_CODEC_KEYS is set, the encryption codec (payload-codec.ts). Built once from the environment by
// loadTemporalConfig, so the worker, the API, the CLI and npm start read and write the same histories.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { CODEC_KEYS_VARIABLE, COMPRESS_FROM_BYTES, COMPRESS_VARIABLE, payloadCodecFromEnv, type EncryptionCodec } from './payload-codec.ts';
import { isProductionMode } from '../definitions/production-mode.ts';

export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./encoded-failure-converter.cjs', import.meta.url));

export interface PayloadProtection {
  dataConverter: DataConverter;
  /** Undefined when JOURNEY_CODEC_KEYS is unset: payloads are stored as they are. */
  codec?: EncryptionCodec;
}

/** The data converter for `codec` (or none): one shape for clients and workers. */
export function journeyDataConverter(codec: EncryptionCodec | undefined): DataConverter {
  return codec ? { failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs: [codec] } : {};
}

/** Reads JOURNEY_CODEC_KEYS; throws CodecKeysError (naming the variable and the entry) when it is malformed. */
export function payloadProtectionFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadProtection {
  const codec = payloadCodecFromEnv(env);
  return { codec, dataConverter: journeyDataConverter(codec) };
}

/**
 * The worker and the API refuse to start in production mode (definitions/production-mode.ts) without payload
 * encryption: customer data (emails, names, traits) would be stored in Temporal's histories in clear. Elsewhere
 * (tests, `JOURNEY_DEV_MODE=1`) a missing key is the start log's warning.
 */
export function requirePayloadProtectionInProduction(p: PayloadProtection, env: NodeJS.ProcessEnv = process.env): void {
  if (p.codec || !isProductionMode(env)) return;
  throw new Error(
    `${CODEC_KEYS_VARIABLE} is not set: in production mode (POSTMARK_SERVER_TOKEN set, JOURNEY_DEV_MODE not 1) customer data would be ` +
      `stored in Temporal unencrypted. Give the worker and the API the same keys, e.g. ${CODEC_KEYS_VARIABLE}=k1:$(openssl rand -base64 32) (docs/security.md)`,
  );
}

/** One line for the start log: which key encrypts, never the key itself; a warning when nothing is encrypted. */
export function describePayloadProtection(p: PayloadProtection): string {
  return p.codec
    ? `payloads encrypted in Temporal with key "${p.codec.encryptingKeyId}" (${p.codec.keyIds.length} key(s) can decrypt)` +
        (p.codec.compresses ? `, those of ${COMPRESS_FROM_BYTES} bytes or more deflated first` : `, none deflated (${COMPRESS_VARIABLE}=0)`)
    : `WARNING: ${CODEC_KEYS_VARIABLE} is not set: customer data (emails, names, traits) is stored in Temporal unencrypted`;
}
