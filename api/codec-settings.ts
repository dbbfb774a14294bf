// The codec endpoint's settings (routes/codec.ts), from the environment, checked at start with the variable's name:
//   JOURNEY_CODEC_UI_TOKEN      the secret path segment of the UI's endpoint: 32+ characters of [A-Za-z0-9_-]
//                               (e.g. `openssl rand -hex 32`); unset: only the bearer door (/codec/decode) is open
//   JOURNEY_CODEC_CORS_ORIGINS  browser origins allowed to call, comma-separated (default: the dev server's UI,
//                               http://localhost:8233 and http://127.0.0.1:8233)
// The keys themselves are JOURNEY_CODEC_KEYS (worker/payload-codec.ts), shared with the worker.
import type { PayloadCodec } from '@temporalio/common';
import type { CodecEndpointOptions } from './context.ts';

export const DEFAULT_CODEC_CORS_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

export function codecEndpointFromEnv(env: NodeJS.ProcessEnv, codec: PayloadCodec | undefined): CodecEndpointOptions {
  const uiToken = env.JOURNEY_CODEC_UI_TOKEN?.trim() || undefined;
  if (uiToken !== undefined && !/^[A-Za-z0-9_-]{32,256}$/.test(uiToken)) {
    throw new Error('JOURNEY_CODEC_UI_TOKEN must be 32-256 characters of A-Z, a-z, 0-9, "_" or "-" (e.g. `openssl rand -hex 32`)');
  }
  const given = env.JOURNEY_CODEC_CORS_ORIGINS?.trim();
  const corsOrigins = given
    ? given
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : DEFAULT_CODEC_CORS_ORIGINS;
  for (const origin of corsOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new Error(
        `JOURNEY_CODEC_CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
    }
  }
  return { codec, uiToken, corsOrigins };
}
