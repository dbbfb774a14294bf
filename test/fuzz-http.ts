// A raw HTTP/1.1 client for the fuzzer: the request line, headers and body go on the socket exactly as generated
// (undici and node:http refuse or repair bytes a hostile client sends: raw UTF-8 in the path, bad header values,
// a Content-Length that lies). One connection per request, closed by us once the answer is complete, so a request
// that confuses the server's parser cannot poison the next one. No `Connection: close`: a server that answers
// before reading a large body (a 401, a 413) then drains it, as for any keep-alive client, instead of closing on
// unread bytes, which makes the kernel reset the connection and discard the answer before the client reads it.
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target as sent: already percent-encoded (or deliberately not). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Send no Content-Length even with a body (the server must cope). */
  omitLength?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when no HTTP answer came back at all (reset, timeout): the server crashed or hung on this request. */
  transportError?: string;
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseResponse(raw: Buffer): Omit<RawResponse, 'transportError'> | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const sep = line.indexOf(':');
    if (sep > 0) headers[line.slice(0, sep).trim().toLowerCase()] = line.slice(sep + 1).trim();
  }
  const rest = raw.subarray(headEnd + 4);
  const body = headers['transfer-encoding']?.includes('chunked') ? dechunk(rest) : rest;
  return { status, headers, body: body.toString('utf8') };
}

/** Whether a whole answer is in: its head, then Content-Length bytes, or the last chunk (a HEAD answer has no body). */
function complete(raw: Buffer, method: string): boolean {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return false;
  const head = raw.subarray(0, headEnd).toString('latin1').toLowerCase();
  if (method === 'HEAD' || /^http\/1\.[01] (1\d\d|204|304)/.test(head)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) return raw.length - headEnd - 4 >= Number(length[1]);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return raw.subarray(headEnd).includes('\r\n0\r\n\r\n');
  return false;
}

export function sendRaw(host: string, port: number, req: RawRequest, timeoutMs = 60_000): Promise<RawResponse> {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string> = { host: `${host}:${port}`, ...req.headers };
  if (!req.omitLength && req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['content-length'] = String(body.length);
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let failure: string | undefined;
    const done = (err?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      resolve(parsed ? parsed : { status: 0, headers: {}, body: '', transportError: err ?? failure ?? 'no HTTP response' });
    };
    const socket = connect({ host, port }, () => {
      // Written in latin1 so each char of the generated head is one byte: raw UTF-8 is generated as its bytes.
      socket.write(Buffer.from(head, 'latin1'));
      if (body.length > 0) socket.write(body);
    });
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (complete(Buffer.concat(chunks), req.method)) done();
    });
    socket.on('close', () => done());
    // A server that answers before reading the whole body (a 413) closes on it: the write fails with EPIPE or a
    // reset, and the answer already sent is still read (`close` always follows `error`).
    socket.on('error', (err) => (failure = err.message));
  });
}
