// A Postmark-compatible HTTP server for tests: the real `postmark` client reaches it through its
// `requestHost` / `useHttps: false` options. It covers what the engine uses (`/email`,
// `/email/withTemplate`, `/email/batch`, `/messages/outbound` search with `metadata_*` filters, the
// server-token check) with Postmark's status codes and ErrorCodes, and injects faults on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export type Endpoint = '/email' | '/email/withTemplate' | '/email/batch';

/** One message Postmark accepted: the exact JSON body it received, plus what Postmark adds. */
export interface AcceptedMessage {
  MessageID: string;
  ReceivedAt: string;
  endpoint: Endpoint;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for Postmark: request bodies are whatever the client sent
  body: Record<string, any>;
}

/** What the next matching request meets. Faults are used up in the order they were added. */
export type Fault =
  | {
      kind: 'error';
      status: number;
      errorCode: number;
      message?: string;
      /** store the message first (a 5xx after accepting) */ acceptFirst?: boolean;
    }
  /** Accept (store) the message, then answer after `delayMs`: the client may time out first. */
  | { kind: 'slow'; delayMs: number }
  /** Accept (store) the message, then destroy the socket without answering. */
  | { kind: 'drop-after-accept' }
  /** Destroy the socket before reading anything: nothing stored. */
  | { kind: 'drop-before-accept' };

export interface FakePostmarkOptions {
  /** Tokens that X-Postmark-Server-Token must match; anything else is ErrorCode 10. */
  serverTokens: string[];
  /** Addresses Postmark has deactivated (hard bounce, complaint, unsubscribe): ErrorCode 406. */
  inactiveRecipients?: string[];
  /** Like real Postmark, a message shows in the outbound search only this long after it was accepted. */
  searchLagMs?: number;
  /** Port to listen on (127.0.0.1); a free one when unset. */
  port?: number;
  /** Called with each message accepted (the stand-alone server prints them). */
  onAccepted?: (message: AcceptedMessage) => void;
}

export interface FakePostmark {
  url: string;
  /** Every message accepted, in order. */
  accepted: AcceptedMessage[];
  /** Every request seen (method, path, status answered); for asserting e.g. that a search happened. */
  requests: { method: string; path: string; status: number | 'dropped' }[];
  /** Queue a fault for the next request to `path` (default: any send endpoint). */
  injectFault(fault: Fault, path?: Endpoint | '/messages/outbound'): void;
  /** Faults queued that no request has met yet. */
  readonly pendingFaults: number;
  /** Drops the faults no request has met, and returns them. */
  clearFaults(): Fault[];
  markInactive(address: string): void;
  /** Change the search lag for the requests that follow. */
  searchLagMs: number;
  close(): Promise<void>;
}

const VALID_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function addressOf(to: string): string {
  const m = /<([^>]+)>/.exec(to);
  return (m ? m[1] : to).trim().toLowerCase();
}

function json(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakePostmark(opts: FakePostmarkOptions): Promise<FakePostmark> {
  const accepted: AcceptedMessage[] = [];
  const requests: FakePostmark['requests'] = [];
  const faults: { fault: Fault; path?: string }[] = [];
  const handleState = { searchLagMs: opts.searchLagMs ?? 0 };
  const inactive = new Set((opts.inactiveRecipients ?? []).map((a) => a.toLowerCase()));

  function takeFault(path: string): Fault | undefined {
    const i = faults.findIndex((f) => (f.path ? f.path === path : path.startsWith('/email')));
    return i < 0 ? undefined : faults.splice(i, 1)[0].fault;
  }

  /** Postmark's checks for one message: 300 invalid request/address, 406 inactive recipient. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for Postmark: request bodies are whatever the client sent
  function validate(body: Record<string, any>, endpoint: Endpoint): { errorCode: number; message: string } | undefined {
    if (typeof body?.From !== 'string' || !body.From) return { errorCode: 300, message: "Invalid 'From' address: ''." };
    if (typeof body.To !== 'string' || !body.To) return { errorCode: 300, message: "Invalid 'To' address: ''." };
    const recipients = body.To.split(',').map(addressOf);
    const bad = recipients.find((a: string) => !VALID_ADDRESS.test(a));
    if (bad !== undefined)
      return { errorCode: 300, message: `Error parsing 'To': Illegal email address '${bad}'. It must contain the '@' symbol.` };
    if (endpoint === '/email/withTemplate' && !body.TemplateAlias && !body.TemplateId)
      return { errorCode: 1101, message: 'Template not found.' };
    if (endpoint !== '/email/withTemplate' && !body.HtmlBody && !body.TextBody)
      return { errorCode: 300, message: 'Provide either email TextBody or HtmlBody or both.' };
    const gone = recipients.filter((a: string) => inactive.has(a));
    if (gone.length) {
      return {
        errorCode: 406,
        message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${gone.join(', ')}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
      };
    }
    return undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for Postmark: request bodies are whatever the client sent
  function accept(body: Record<string, any>, endpoint: Endpoint): AcceptedMessage {
    const message: AcceptedMessage = { MessageID: randomUUID(), ReceivedAt: new Date().toISOString(), endpoint, body };
    accepted.push(message);
    opts.onAccepted?.(message);
    return message;
  }

  function sendResult(m: AcceptedMessage) {
    return { To: m.body.To, SubmittedAt: m.ReceivedAt, MessageID: m.MessageID, ErrorCode: 0, Message: 'OK' };
  }

  function search(query: URLSearchParams) {
    const count = Number(query.get('count'));
    const offset = Number(query.get('offset'));
    const filters = [...query.entries()].map(([k, v]) => [k.toLowerCase(), v, k] as const);
    const visibleBefore = Date.now() - handleState.searchLagMs;
    const matches = accepted
      .filter((m) => Date.parse(m.ReceivedAt) <= visibleBefore)
      .filter((m) =>
        filters.every(([key, value, original]) => {
          if (key.startsWith('metadata_')) return m.body.Metadata?.[original.slice('metadata_'.length)] === value;
          if (key === 'recipient') return addressOf(m.body.To) === value.toLowerCase();
          if (key === 'tag') return m.body.Tag === value;
          if (key === 'messagestream') return (m.body.MessageStream ?? 'outbound') === value;
          return true; // count, offset, and filters this stand-in does not model
        }),
      );
    const page = [...matches].reverse().slice(offset, offset + count); // newest first, like Postmark
    return {
      TotalCount: matches.length,
      Messages: page.map((m) => ({
        MessageID: m.MessageID,
        Tag: m.body.Tag,
        To: [{ Email: addressOf(m.body.To), Name: null }],
        Cc: [],
        Bcc: [],
        Recipients: [addressOf(m.body.To)],
        ReceivedAt: m.ReceivedAt,
        From: m.body.From,
        Subject: m.body.Subject ?? '',
        Attachments: [],
        Status: 'Sent',
        TrackOpens: false,
        TrackLinks: 'None',
        Metadata: m.body.Metadata ?? {},
        MessageStream: m.body.MessageStream ?? 'outbound',
        Sandboxed: false,
      })),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number | 'dropped'> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const fault = takeFault(path);
    if (fault?.kind === 'drop-before-accept') {
      req.socket.destroy();
      return 'dropped';
    }
    const token = req.headers['x-postmark-server-token'];
    if (typeof token !== 'string' || !opts.serverTokens.includes(token)) {
      return json(res, 401, {
        ErrorCode: 10,
        Message:
          'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.',
      });
    }
    if (fault?.kind === 'error' && !fault.acceptFirst) {
      return json(res, fault.status, { ErrorCode: fault.errorCode, Message: fault.message ?? `Injected failure ${fault.status}` });
    }
    if (req.method === 'GET' && path === '/messages/outbound') {
      if (!url.searchParams.has('count') || !url.searchParams.has('offset'))
        return json(res, 422, { ErrorCode: 1, Message: 'count and offset are required' });
      return json(res, 200, search(url.searchParams));
    }
    if (req.method !== 'POST' || !['/email', '/email/withTemplate', '/email/batch'].includes(path)) {
      return json(res, 404, { ErrorCode: 0, Message: `No such endpoint: ${req.method} ${path}` });
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for Postmark: request bodies are whatever the client sent
    let body: any;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 422, { ErrorCode: 402, Message: 'Invalid JSON' });
    }
    const endpoint = path as Endpoint;
    if (endpoint === '/email/batch') {
      // Per-message outcomes in one 200 answer, as Postmark does.
      if (!Array.isArray(body)) return json(res, 422, { ErrorCode: 402, Message: 'Expected an array of messages' });
      return json(
        res,
        200,
        body.map((m) => {
          const problem = validate(m, '/email');
          return problem ? { ErrorCode: problem.errorCode, Message: problem.message, To: m?.To } : sendResult(accept(m, '/email'));
        }),
      );
    }
    const problem = validate(body, endpoint);
    if (problem) return json(res, 422, { ErrorCode: problem.errorCode, Message: problem.message });
    const message = accept(body, endpoint);
    if (fault?.kind === 'error') {
      return json(res, fault.status, { ErrorCode: fault.errorCode, Message: fault.message ?? `Injected failure ${fault.status}` });
    }
    if (fault?.kind === 'drop-after-accept') {
      req.socket.destroy();
      return 'dropped';
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return 'dropped';
    return json(res, 200, sendResult(message));
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => requests.push({ method: req.method ?? '', path: req.url ?? '', status }),
      (err) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', status: 500 });
        if (!res.headersSent) json(res, 500, { ErrorCode: 0, Message: String(err) });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // a port already taken
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    requests,
    injectFault(fault, path) {
      faults.push({ fault, path });
    },
    get pendingFaults() {
      return faults.length;
    },
    clearFaults() {
      return faults.splice(0).map((f) => f.fault);
    },
    get searchLagMs() {
      return handleState.searchLagMs;
    },
    set searchLagMs(ms: number) {
      handleState.searchLagMs = ms;
    },
    markInactive(address) {
      inactive.add(address.toLowerCase());
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
