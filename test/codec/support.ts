// An encrypted journey engine on the shared dev server, as the worker and API processes build it: one client factory
// and one data converter from JOURNEY_CODEC_KEYS (worker/temporal-config.ts), the API's codec endpoint listening on a
// real port (for the Temporal CLI and UI), demo copies of the shipped journeys so an ask goes out within seconds.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Connection, type Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { JOURNEYS_DIR, loadJourneyDir } from '../../definitions/loader.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { createJourneyWorker } from '../../worker/worker.ts';
import { createTemporalClient, loadTemporalConfig } from '../../worker/temporal-config.ts';
import { payloadProtectionFromEnv, type PayloadProtection } from '../../worker/data-converter.ts';
import { writeDemoJourneys } from '../../scripts/demo/demo-journeys.ts';
import { daytimeZones } from '../../scripts/demo/population.ts';
import { auth, startApi, type ApiFixture } from '../api/support.ts';
import { sharedTemporalEnv, workflowBundle } from '../support/temporal.ts';

export interface EncryptedSystem {
  f: ApiFixture;
  apiUrl: string;
  payloads: PayloadProtection;
  client: Client;
  /** A worker on the system's task queue with `keys` (defaults to the system's own); stop it with stopWorker. */
  startWorker(keys?: string): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** A client on the shared dev server that encrypts and decrypts with `keys` (JOURNEY_CODEC_KEYS form) or none. */
export async function clientWithKeys(keys: string | undefined): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect(loadTemporalConfig({ ...process.env, ...sharedTemporalEnv() }).connectionOptions);
  const client = createTemporalClient(connection, {
    namespace: 'default',
    payloads: payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: keys }),
  });
  return { client, close: () => connection.close() };
}

export async function startEncryptedSystem(opts: { keys: string; uiToken?: string; corsOrigins?: string[] }): Promise<EncryptedSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'codec-journeys-'));
  writeDemoJourneys(JOURNEYS_DIR, dir, { daySeconds: 2 });
  const { plans } = await loadJourneyDir(dir);
  const payloads = payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: opts.keys });
  const connection = await Connection.connect(loadTemporalConfig({ ...process.env, ...sharedTemporalEnv() }).connectionOptions);
  const client = createTemporalClient(connection, { namespace: 'default', payloads });
  const f = await startApi({
    client,
    registry: PlanRegistry.of(plans),
    codec: { codec: payloads.codec, uiToken: opts.uiToken, corsOrigins: opts.corsOrigins ?? [] },
  });
  const apiUrl = await f.api.listen({ host: '127.0.0.1', port: 0 });

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const system: EncryptedSystem = {
    f,
    apiUrl,
    payloads,
    client,
    async startWorker(keys = opts.keys) {
      const own = payloadProtectionFromEnv({ JOURNEY_CODEC_KEYS: keys });
      worker = await createJourneyWorker({
        connection: f.temporal.workerConnection,
        namespace: 'default',
        taskQueue: f.taskQueue,
        workflowBundle: workflowBundle(),
        dataConverter: own.dataConverter,
        activityDeps: {
          dataDir: f.dataDir,
          customers: { client: createTemporalClient(connection, { namespace: 'default', payloads: own }), taskQueue: f.taskQueue },
        },
        // Stopped between steps of a test: in-flight activities may finish first.
        shutdownGraceMs: 5000,
      });
      running = worker.run();
    },
    async stopWorker() {
      worker?.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      // Under the full suite's load the worker's shutdown has waited past 120 s (2 fresh-clone runs in 3) after every
      // assertion held: an activity in flight that does not end at cancellation (open: which one). Teardown waits a
      // bounded time, says so, and closes the fixture anyway.
      const stopped = system.stopWorker();
      stopped.catch(() => undefined);
      const done = await Promise.race([
        stopped.then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), 90_000).unref()),
      ]);
      if (!done) console.warn('codec test teardown: the worker was still shutting down after 90 s; closing the fixture anyway');
      await f.close();
      await connection.close();
    },
  };
  await system.startWorker();
  return system;
}

/** A customer whose id says nothing about them, with an address and a name that must never be readable in Temporal. */
export function secretCustomer() {
  const tag = randomUUID().slice(0, 8);
  return {
    customerId: `cust-${tag}`,
    email: `zelphine.quarrington.${tag}@globex.example`,
    firstName: `Zelphine${tag}`,
    lastName: 'Quarrington',
  };
}

/** An NPS promoter answer through the API, with the customer's traits (the demo journey asks 4 s later). */
export async function sendPromoterAnswer(
  api: FastifyInstance,
  c: ReturnType<typeof secretCustomer>,
  id = `nps-${c.customerId}`,
): Promise<void> {
  const res = await api.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth(),
    payload: {
      id,
      type: 'nps.submitted',
      customerId: c.customerId,
      occurredAt: new Date().toISOString(),
      data: { score: 10, comment: `Great tool, says ${c.firstName}` },
      traits: { email: c.email, firstName: c.firstName, lastName: c.lastName, healthScore: 90, timezone: daytimeZones()[0] },
    },
  });
  if (res.statusCode !== 202) throw new Error(`the API refused the event: ${res.statusCode} ${res.body}`);
}
