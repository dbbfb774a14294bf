// The API's one error shape, for every 4xx and 5xx whatever raised it (a route, a hook, fastify's body parsers, the
// router, Node's HTTP parser before fastify sees the request):
//   { error: "<stable code>", message: "<for people>", errors: [{ in, pointer, message, expected? }], requestId }
// Each problem names the part of the request at fault (`in`: path, query, header or body) and the field in it as a
// JSON pointer (RFC 6901): `/customerId` in the path, `/authorization` in the headers, `/data/score` in the body,
// "" for the part as a whole (a body that is not JSON, a path no route serves).
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export type RequestPart = 'path' | 'query' | 'header' | 'body';

export interface Problem {
  in?: RequestPart;
  pointer: string;
  message: string;
  expected?: string;
  suggestion?: string;
}

export interface ErrorBody {
  error: string;
  message: string;
  errors: Problem[];
  requestId: string;
}

export function errorBody(requestId: string, error: string, message: string, errors: Problem[]): ErrorBody {
  return { error, message, errors, requestId };
}

/** Sends the error shape; `problems` must name at least one field (or the part as a whole, pointer ""). */
export function sendError(reply: FastifyReply, status: number, error: string, message: string, problems: Problem[]): FastifyReply {
  return reply.code(status).send(errorBody(reply.request.id, error, message, problems));
}

/** The problem of a request without a usable key (401) or with a key lacking the route's scope (403). */
export const authorizationProblem = (message: string): Problem => ({ in: 'header', pointer: '/authorization', message });

/** Fastify's own 4xx (body parsers, limits) as a code, a message and the part of the request at fault. */
export function frameworkProblem(err: FastifyError): { status: number; error: string; problem: Problem } {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_TYPE':
      return {
        status: 415,
        error: 'unsupported_media_type',
        problem: { in: 'header', pointer: '/content-type', message: 'not a content type this route reads', expected: 'application/json' },
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, error: 'payload_too_large', problem: { in: 'body', pointer: '', message: err.message } };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, error: 'invalid_request', problem: { in: 'header', pointer: '/content-length', message: err.message } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        error: 'invalid_json',
        problem: { in: 'body', pointer: '', message: 'the body is empty', expected: 'a JSON document' },
      };
    default:
      // JSON.parse (and secure-json-parse's __proto__ guard) raise a SyntaxError: the body as a whole is at fault.
      if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError)
        return {
          status: 400,
          error: 'invalid_json',
          problem: { in: 'body', pointer: '', message: err.message, expected: 'a JSON document' },
        };
      return { status, error: (err.code ?? 'bad_request').toLowerCase(), problem: { pointer: '', message: err.message } };
  }
}

/** The routes by path pattern, so a path served for other methods answers 405 with `Allow` instead of 404. */
export class MethodTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(route: { method: string | string[]; url: string }): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source = route.url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    for (const method of methods) this.routes.push({ method: String(method), pattern: new RegExp(`^${source}$`) });
  }

  /** The methods served at this path (query string ignored), sorted. */
  allowed(url: string): string[] {
    const path = url.split('?')[0];
    return [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
  }
}

export function sendNotFound(req: FastifyRequest, reply: FastifyReply, methods: MethodTable): FastifyReply {
  const path = req.url.split('?')[0];
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  const allowed = methods.allowed(req.url);
  if (allowed.length > 0) {
    void reply.header('allow', allowed.join(', '));
    return sendError(reply, 405, 'method_not_allowed', `${req.method} is not served at ${shown}; allowed: ${allowed.join(', ')}`, [
      { in: 'path', pointer: '', message: `${req.method} is not allowed here`, expected: allowed.join(', ') },
    ]);
  }
  return sendError(reply, 404, 'not_found', `no route ${req.method} ${shown}`, [
    { in: 'path', pointer: '', message: 'no route serves this path' },
  ]);
}

/**
 * Node's HTTP parser refuses some requests before fastify sees them (a request line or headers past the 16 KB limit,
 * bytes that are not HTTP): the answer is still the error shape. A request line with no end within the bytes read
 * means the URL is what is too long (414); otherwise the headers are (431).
 */
export function clientErrorHandler(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Node's parser, once failed, fails again on every later chunk of the same request and emits clientError each time:
  // the socket is answered and lingering (below), so later errors must not close it (that reset lost the answer).
  if (answered.has(socket)) return;
  answered.add(socket);
  let status = 400;
  let problem: Problem = { pointer: '', message: 'the request is not valid HTTP/1.1' };
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    problem = { pointer: '', message: 'the request did not arrive in time' };
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    // The request line is the packet's first line: past half the limit, the URL is what overflowed.
    const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined;
    const lineEnd = packet ? packet.indexOf('\r\n') : -1;
    const urlTooLong = lineEnd < 0 || lineEnd > 8 * 1024;
    status = urlTooLong ? 414 : 431;
    problem = urlTooLong
      ? { in: 'path', pointer: '', message: 'the URL is longer than the server reads (16 KB)' }
      : { in: 'header', pointer: '', message: 'the headers are larger than the server reads (16 KB)' };
  }
  const code = status === 414 ? 'uri_too_long' : status === 431 ? 'headers_too_large' : status === 408 ? 'timeout' : 'invalid_request';
  const body = JSON.stringify(errorBody(randomUUID(), code, problem.message, [problem]));
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
  );
  // Closing with the rest of the request unread makes the kernel reset the connection, which can discard this answer
  // before the client reads it: read and drop what is still coming until the client is done sending, bounded in bytes
  // and time, then close. (A 5 s bound lost 414s to a 3 MB body on a loaded machine: the fuzzer saw EPIPE 3 runs in 4.)
  let dropped = 0;
  const close = () => socket.destroy();
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_MAX_BYTES) close();
  });
  socket.once('end', close);
  socket.resume();
  setTimeout(close, LINGER_MAX_MS).unref();
}

const answered = new WeakSet<Socket>();

/** How much of a refused request's body the server still reads so its answer is not lost to a reset. */
const LINGER_MAX_BYTES = 32 * 1024 * 1024;
const LINGER_MAX_MS = 30_000;
