// A stand-in for a company's CRM integration (the middleware in front of HubSpot or Salesforce): receives the CRM
// webhook (signature, Idempotency-Key and faults as test/support/signed-receiver.ts does), answers a repeated key as
// a duplicate that changes nothing, and upserts owner tasks and referral records by their id as the mapping's
// idProperty says.
import { startSignedReceiver, type SignedReceiverFaults } from '../support/signed-receiver.ts';

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

export interface CrmReceiver extends SignedReceiverFaults {
  /** Records by object and id: `tasks:<id>`, `contacts:<id>`, `Task:<id>`, `Lead:<id>`. */
  records: Map<string, CrmRecord>;
}

interface CrmPayload {
  kind: string;
  object: string;
  idProperty: string;
  id: string;
  properties: Record<string, unknown>;
  record: Record<string, unknown>;
}

export async function startCrmReceiver(secret: string): Promise<CrmReceiver> {
  const records = new Map<string, CrmRecord>();
  const seenKeys = new Set<string>();
  const receiver = await startSignedReceiver<CrmPayload>(secret, '/crm', {
    labelOf: (payload) => payload.kind,
    accept(key, payload) {
      // The CRM upserts by its external id field: the mapped idProperty must carry the record's id.
      if (payload.properties[payload.idProperty] !== payload.id)
        return { status: 422, body: { error: `${payload.idProperty} must hold the id` } };
      if (seenKeys.has(key)) return { status: 200, body: { id: payload.id, duplicate: true } };
      seenKeys.add(key);
      const at = `${payload.object}:${payload.id}`;
      const record = records.get(at) ?? { object: payload.object, id: payload.id, properties: {}, keys: [], records: [] };
      Object.assign(record.properties, payload.properties);
      record.keys.push(key);
      record.records.push(payload.record);
      records.set(at, record);
      return { status: 200, body: { id: payload.id, duplicate: false } };
    },
  });
  return Object.assign(receiver, { records });
}
