// A stand-in for a company's CRM integration (the middleware in front of HubSpot or Salesforce): receives the CRM
// webhook, verifies the HMAC signature, honours Idempotency-Key (a repeated key is answered as a duplicate and
// changes nothing), upserts owner tasks and referral records by their id as the mapping's idProperty says, and
// injects faults (fail N times, answer a 4xx) for the tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRewardSignature } from '../../activities/rewards/signature.ts';

export interface CrmRequest {
  key: string;
  kind: string;
  status: number;
}

export interface CrmRecord {
  object: string;
  id: string;
  /** The CRM properties, merged over every upsert (the latest value of each). */
  properties: Record<string, unknown>;
  /** Each accepted write's Idempotency-Key, in order (a referral: one per stage). */
  keys: string[];
  /** The structured record of each accepted write. */
  records: Record<string, unknown>[];
}

export interface CrmReceiver {
  url: string;
  /** Records by object and id: `tasks:<id>`, `contacts:<id>`, `Task:<id>`, `Lead:<id>`. */
  records: Map<string, CrmRecord>;
  requests: CrmRequest[];
  failNext(n: number, status?: number): void;
  rejectWith(status: number | undefined): void;
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

export async function startCrmReceiver(secret: string): Promise<CrmReceiver> {
  const records = new Map<string, CrmRecord>();
  const seenKeys = new Set<string>();
  const requests: CrmRequest[] = [];
  let failures = 0;
  let failStatus = 503;
  let rejectStatus: number | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const key = String(req.headers[IDEMPOTENCY_HEADER.toLowerCase()] ?? '');
    const seen: CrmRequest = { key, kind: '?', status: 0 };
    requests.push(seen);
    const answer = (status: number, payload: unknown) => {
      seen.status = status;
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
    const payload = JSON.parse(body) as {
      kind: string;
      object: string;
      idProperty: string;
      id: string;
      properties: Record<string, unknown>;
      record: Record<string, unknown>;
    };
    seen.kind = payload.kind;
    if (failures > 0) {
      failures--;
      return answer(failStatus, { error: 'injected failure' });
    }
    if (rejectStatus) return answer(rejectStatus, { error: 'injected rejection' });
    // The CRM upserts by its external id field: the mapped idProperty must carry the record's id.
    if (payload.properties[payload.idProperty] !== payload.id) return answer(422, { error: `${payload.idProperty} must hold the id` });
    if (seenKeys.has(key)) return answer(200, { id: payload.id, duplicate: true });
    seenKeys.add(key);
    const at = `${payload.object}:${payload.id}`;
    const record = records.get(at) ?? { object: payload.object, id: payload.id, properties: {}, keys: [], records: [] };
    Object.assign(record.properties, payload.properties);
    record.keys.push(key);
    record.records.push(payload.record);
    records.set(at, record);
    answer(200, { id: payload.id, duplicate: false });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => res.destroy(err));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/crm`,
    records,
    requests,
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    rejectWith(status) {
      rejectStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
