// pino options for the API: JSON lines with request ids; tokens and email addresses never reach the log.
import type { FastifyServerOptions } from 'fastify';

const EMAIL = /[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Masks email addresses (also URL-encoded ones) in a string: customer ids are sometimes addresses. */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, '[email]');
}

export function apiLoggerOptions(level = process.env.JOURNEY_LOG_LEVEL ?? 'info'): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.email', '*.token', '*.apiKey', '*.password', 'err.config.headers'],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { id: string; method: string; url: string; ip?: string }) {
        // The codec UI token is a credential in the path (routes/codec.ts): never logged.
        return { id: req.id, method: req.method, url: maskEmails(req.url.replace(/^\/codec\/ui\/[^/?]+/, '/codec/ui/[redacted]')) };
      },
      err(err: Error & { code?: string; statusCode?: number }) {
        return {
          type: err.name,
          code: err.code,
          statusCode: err.statusCode,
          message: maskEmails(err.message ?? ''),
          stack: maskEmails(err.stack ?? ''),
        };
      },
    },
  };
}
