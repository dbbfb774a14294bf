// The remote codec endpoint Temporal's tools call to show encrypted histories (worker/payload-codec.ts) in clear:
// the Temporal UI (`temporal server start-dev --ui-codec-endpoint`, or the UI's "Codec Server" setting) and the
// CLI (`temporal workflow show --codec-endpoint … --codec-auth 'Bearer <key>'`). The protocol is Temporal's:
// POST <endpoint>/decode and <endpoint>/encode with {"payloads":[{"metadata":{k:base64},"data":base64}]}, answered
// in the same shape. Decoding hands out customer data, so both doors are locked:
//   /codec/decode, /codec/encode                 Authorization: Bearer <API key>; decode needs "read", encode "operate"
//   /codec/ui/<token>/decode, …/encode           the codec UI token (JOURNEY_CODEC_UI_TOKEN) in the path, for a UI
//                                                 that cannot send our bearer: the dev server's UI sends no
//                                                 Authorization, and UI 2.42's passAccessToken sends only its own
//                                                 login's token, and only to an https endpoint
// CORS answers only the UI origins configured (JOURNEY_CODEC_CORS_ORIGINS), with the headers the UI sends.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import type { ApiContext, CodecEndpointOptions } from '../context.ts';
import { sendError } from '../errors.ts';

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';
/** One request's most payloads: a history page the UI decodes at once is far below this. */
export const MAX_CODEC_PAYLOADS = 1000;

const bodySchema = {
  type: 'object',
  required: ['payloads'],
  additionalProperties: false,
  properties: {
    payloads: {
      type: 'array',
      maxItems: MAX_CODEC_PAYLOADS,
      items: {
        type: 'object',
        // Newer Temporal APIs add fields to Payload (external payload details): passed back as they came.
        properties: {
          metadata: { type: ['object', 'null'], additionalProperties: { type: 'string', pattern: BASE64 } },
          data: { type: ['string', 'null'], pattern: BASE64 },
        },
      },
    },
  },
};

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});

const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  ...(data && data.length > 0 ? { data: Buffer.from(data).toString('base64') } : {}),
});

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export async function registerCodecRoutes(app: FastifyInstance, ctx: ApiContext) {
  const opts: CodecEndpointOptions = ctx.opts.codec ?? { corsOrigins: [] };
  const uiTokenDigest = opts.uiToken ? digest(opts.uiToken) : undefined;
  const allowed = new Set(opts.corsOrigins);

  await app.register(async (scope) => {
    // The UI reads the answer (and an error's status) only with these headers, on errors as much as on success.
    scope.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (!origin || !allowed.has(origin)) return;
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin').header('access-control-allow-credentials', 'true');
    });
    scope.options('/codec/*', { schema: { hide: true } }, async (req, reply) => {
      if (!allowed.has(String(req.headers.origin))) return reply.code(204).send();
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'content-type, x-namespace, authorization, authorization-extras')
        .header('access-control-max-age', '600')
        .send();
    });

    const convert = (direction: 'decode' | 'encode') => async (req: FastifyRequest, reply: FastifyReply) => {
      if (!opts.codec) {
        // A 4xx, not 501: the request is fine, this API simply has no codec (and a fuzzer's "no 5xx" stays true).
        const message = 'JOURNEY_CODEC_KEYS is not set on this API: payloads are not encrypted, there is nothing to decode';
        return sendError(reply, 404, 'codec_not_configured', message, [{ in: 'body', pointer: '/payloads', message }]);
      }
      const { payloads } = req.body as { payloads: JsonPayload[] };
      const out: JsonPayload[] = [];
      for (const [i, json] of payloads.entries()) {
        try {
          const [converted] = await opts.codec[direction]([fromJson(json)]);
          // Fields this endpoint does not know (newer Payload fields) come back as they were sent; metadata and data
          // are always the converted ones (an empty result must not leave the ciphertext behind).
          const { metadata: _metadata, data: _data, ...unknownFields } = json;
          out.push({ ...unknownFields, ...toJson(converted) });
        } catch (err) {
          const message = (err as Error).message;
          return sendError(reply, 422, 'undecodable_payload', message, [{ in: 'body', pointer: `/payloads/${i}`, message }]);
        }
      }
      return { payloads: out };
    };
    const schema = { body: bodySchema, tags: ['operations'] };

    scope.post(
      '/codec/decode',
      { schema: { ...schema, summary: 'Decrypt payloads (remote codec protocol)' }, config: { scope: 'read' } },
      convert('decode'),
    );
    scope.post(
      '/codec/encode',
      { schema: { ...schema, summary: 'Encrypt payloads (remote codec protocol)' }, config: { scope: 'operate' } },
      convert('encode'),
    );

    const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 512 } } };
    const checkUiToken = async (req: FastifyRequest, reply: FastifyReply) => {
      const given = digest((req.params as { token: string }).token);
      if (!uiTokenDigest || !timingSafeEqual(given, uiTokenDigest)) {
        const problem = { in: 'path' as const, pointer: '/token', message: 'unknown codec UI token' };
        return sendError(reply, 401, 'unauthorized', 'not a codec UI token of this API (JOURNEY_CODEC_UI_TOKEN)', [problem]);
      }
    };
    const uiSchema = { ...schema, hide: true, params: tokenParams };
    // Checked before the body is parsed or validated: without the token, nothing about the body is answered.
    scope.post('/codec/ui/:token/decode', { schema: uiSchema, onRequest: checkUiToken }, convert('decode'));
    scope.post('/codec/ui/:token/encode', { schema: uiSchema, onRequest: checkUiToken }, convert('encode'));
  });
}
