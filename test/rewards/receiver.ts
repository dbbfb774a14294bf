// A stand-in for a company's billing / gift-card system: receives reward webhooks, verifies the HMAC
// signature, honours Idempotency-Key (a repeated key is answered with the first result and never paid
// twice) and injects faults (fail N times, answer a 4xx, answer slowly) for the tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRewardSignature } from '../../activities/rewards/signature.ts';

export interface ReceivedRequest {
  key: string;
  action: string;
  /** 0 until answered. */
  status: number;
  at: number;
  /** When the answer went out (0 until then): a request that arrives later came after this one's answer. */
  answeredAt: number;
}

export interface RewardReceiver {
  url: string;
  /** Payouts (action issue) and reversals (action reverse), by Idempotency-Key: each at most once. */
  payouts: Map<string, Record<string, unknown>>;
  reversals: Map<string, Record<string, unknown>>;
  requests: ReceivedRequest[];
  /** The next n requests fail with `status` (default 503) before anything is recorded. */
  failNext(n: number, status?: number): void;
  /** Every request answers this status (e.g. 422) until cleared with undefined. */
  rejectWith(status: number | undefined): void;
  /** Record the payout, then wait this long before answering (a worker may die meanwhile). */
  slowFor(ms: number, requests?: number): void;
  /** Stop listening (callers meet a refused connection) until `comeBack`, on the same port. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startRewardReceiver(secret: string): Promise<RewardReceiver> {
  const payouts = new Map<string, Record<string, unknown>>();
  const reversals = new Map<string, Record<string, unknown>>();
  const requests: ReceivedRequest[] = [];
  let failures = 0;
  let failStatus = 503;
  let rejectStatus: number | undefined;
  let slowMs = 0;
  let slowLeft = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const key = String(req.headers[IDEMPOTENCY_HEADER.toLowerCase()] ?? '');
    // Recorded on arrival (status filled in when answered), so a request whose caller died still counts.
    const seen: ReceivedRequest = { key, action: '?', status: 0, at: Date.now(), answeredAt: 0 };
    requests.push(seen);
    const answer = (status: number, payload: unknown, action = '?') => {
      seen.status = status;
      seen.action = action;
      seen.answeredAt = Date.now();
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    const ok = verifyRewardSignature(
      secret,
      String(req.headers[TIMESTAMP_HEADER.toLowerCase()] ?? ''),
      body,
      String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? ''),
    );
    if (!ok) return answer(401, { error: 'bad signature' });
    if (!key) return answer(400, { error: 'Idempotency-Key required' });
    const payload = JSON.parse(body) as Record<string, unknown>;
    const action = String(payload.action);
    if (failures > 0) {
      failures--;
      return answer(failStatus, { error: 'injected failure' }, action);
    }
    if (rejectStatus) return answer(rejectStatus, { error: 'injected rejection' }, action);
    const book = action === 'reverse' ? reversals : payouts;
    const first = !book.has(key);
    if (first) book.set(key, payload);
    if (slowLeft > 0) {
      slowLeft--;
      await new Promise((r) => setTimeout(r, slowMs));
    }
    answer(200, { id: key, duplicate: !first }, action);
  };
  // node:http ignores the handler's promise: a failure while handling closes that connection, visibly to the caller.
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => res.destroy(err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/rewards`,
    payouts,
    reversals,
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
