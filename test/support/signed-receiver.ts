// The receiving end of a signed webhook (activities/signed-webhook.ts), shared by the test stand-ins for a billing
// system (test/rewards/receiver.ts) and a CRM integration (test/crm/receiver.ts): it verifies the HMAC signature,
// requires an Idempotency-Key, logs every request on arrival, and injects faults (fail the next N, reject every
// request, answer slowly, go down and come back on the same port). What a request does is the stand-in's `accept`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRewardSignature } from '../../activities/rewards/signature.ts';

export interface SignedRequest {
  key: string;
  /** What the request asked for, as the stand-in names it (a reward's action, a CRM record's kind); '?' if unread. */
  label: string;
  /** 0 until answered. */
  status: number;
  at: number;
  /** When the answer went out (0 until then): a request that arrives later came after this one's answer. */
  answeredAt: number;
}

export interface SignedReceiverFaults {
  url: string;
  requests: SignedRequest[];
  /** The next n requests fail with `status` (default 503) before anything is recorded. */
  failNext(n: number, status?: number): void;
  /** Every request answers this status (e.g. 422) until cleared with undefined. */
  rejectWith(status: number | undefined): void;
  /** Accept the request, then wait this long before answering (a worker may die meanwhile). */
  slowFor(ms: number, requests?: number): void;
  /** Failures and slow answers queued that no request has met yet. */
  readonly pendingFaults: number;
  /** Drops the failures and slow answers no request has met. */
  clearFaults(): void;
  /** Stop listening (callers meet a refused connection) until `comeBack`, on the same port. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export interface Accepting<P> {
  /** The request's label in `requests`. */
  labelOf(payload: P): string;
  /** Does the request's work (idempotently, by key) and says what to answer. */
  accept(key: string, payload: P): { status: number; body: unknown };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSignedReceiver<P>(secret: string, path: string, stand: Accepting<P>): Promise<SignedReceiverFaults> {
  const requests: SignedRequest[] = [];
  let failures = 0;
  let failStatus = 503;
  let rejectStatus: number | undefined;
  let slowMs = 0;
  let slowLeft = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const key = String(req.headers[IDEMPOTENCY_HEADER.toLowerCase()] ?? '');
    // Logged on arrival (status filled in when answered), so a request whose caller died still counts.
    const seen: SignedRequest = { key, label: '?', status: 0, at: Date.now(), answeredAt: 0 };
    requests.push(seen);
    const answer = (status: number, payload: unknown) => {
      seen.status = status;
      seen.answeredAt = Date.now();
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    const signed = verifyRewardSignature(
      secret,
      String(req.headers[TIMESTAMP_HEADER.toLowerCase()] ?? ''),
      body,
      String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? ''),
    );
    if (!signed) return answer(401, { error: 'bad signature' });
    if (!key) return answer(400, { error: 'Idempotency-Key required' });
    const payload = JSON.parse(body) as P;
    seen.label = stand.labelOf(payload);
    if (failures > 0) {
      failures--;
      return answer(failStatus, { error: 'injected failure' });
    }
    if (rejectStatus) return answer(rejectStatus, { error: 'injected rejection' });
    const result = stand.accept(key, payload);
    if (slowLeft > 0) {
      slowLeft--;
      await new Promise((r) => setTimeout(r, slowMs));
    }
    answer(result.status, result.body);
  };
  // node:http ignores the handler's promise: a failure while handling closes that connection, visibly to the caller.
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => res.destroy(err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    rejectWith(status) {
      rejectStatus = status;
    },
    slowFor(ms, count = 1) {
      slowMs = ms;
      slowLeft = count;
    },
    get pendingFaults() {
      return failures + slowLeft;
    },
    clearFaults() {
      failures = 0;
      slowLeft = 0;
    },
    goDown: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    comeBack: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
