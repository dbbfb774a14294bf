// Builds the API for a test against the shared dev server, with the shipped journeys compiled by the real compiler.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { SignalDefinition } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { loadJourneyDir } from '../../definitions/loader.ts';
import { parseApiKeys } from '../../api/auth.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { buildApi } from '../../api/server.ts';
import type { ApiOptions } from '../../api/context.ts';
import { connectDevServer, uniqueTaskQueue, type DevServerClients } from '../support/temporal.ts';

export const KEYS = 'all-key,ingest-key:ingest,read-key:read,ops-key:operate+read';
export const auth = (key = 'all-key') => ({ authorization: `Bearer ${key}` });

export interface ApiFixture {
  api: FastifyInstance;
  temporal: DevServerClients;
  taskQueue: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startApi(overrides: Partial<ApiOptions> = {}): Promise<ApiFixture> {
  const temporal = await connectDevServer();
  const taskQueue = overrides.taskQueue ?? uniqueTaskQueue('api');
  const dataDir = mkdtempSync(join(tmpdir(), 'journey-api-'));
  const registry = new PlanRegistry(() => loadJourneyDir());
  const loaded = await registry.reload();
  if (!loaded.applied) throw new Error(`the shipped journeys do not compile: ${JSON.stringify(loaded.diagnostics)}`);
  const api = await buildApi({ client: temporal.client, taskQueue, apiKeys: parseApiKeys(KEYS), registry, dataDir, ...overrides });
  return {
    api,
    temporal,
    taskQueue,
    dataDir,
    async close() {
      await api.close();
      await temporal.close();
    },
  };
}

/** A customer id no other test uses on the shared dev server. */
export const newCustomer = (prefix = 'cust') => `${prefix}-${randomUUID().slice(0, 8)}`;

export function event(customerId: string, over: Record<string, unknown> = {}) {
  return {
    id: `evt-${randomUUID()}`,
    type: 'nps.submitted',
    customerId,
    occurredAt: new Date().toISOString(),
    data: { score: 10 },
    ...over,
  };
}

/** POSTs one event (see `event`) to /v1/events with the all-scopes key, as a backend service would. */
export const postEvent = (f: ApiFixture, payload: ReturnType<typeof event>) =>
  f.api.inject({ method: 'POST', url: '/v1/events', headers: auth(), payload });

/** The arguments of every `signal` a workflow's history holds, decoded (the first argument of each). */
export async function signalsIn<Arg>(temporal: DevServerClients, workflowId: string, signal: SignalDefinition<[Arg]>): Promise<Arg[]> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const { defaultPayloadConverter } = await import('@temporalio/common');
  return (history.events ?? [])
    .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === signal.name)
    .map((e) => defaultPayloadConverter.fromPayload<Arg>(e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]));
}
