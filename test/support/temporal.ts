// Test helpers for the two real Temporal servers: the shared dev server and a time-skipping test server.
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';

export function workflowBundle() {
  return { codePath: inject('workflowBundlePath') };
}

/**
 * The client's gRPC keepalive, relaxed for the Java test server: the SDK's client pings every 30 s, the Java
 * server allows one ping per 5 minutes and answers more with GOAWAY "too_many_pings", which dropped in-flight
 * calls and hung whole lifecycle tests until their timeout. Pinging every 6 minutes stays within its policy.
 */
const TEST_SERVER_CHANNEL_ARGS = { 'grpc.keepalive_time_ms': 6 * 60_000, 'grpc.keepalive_permit_without_calls': 0 };

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  // `create` is what createTimeSkipping calls; it is the only entry that passes connection options (channelArgs)
  // through to the client connection.
  const create = (TestWorkflowEnvironment as unknown as {
    create(opts: object): Promise<TestWorkflowEnvironment>;
  }).create.bind(TestWorkflowEnvironment);
  return create({
    server: { type: 'time-skipping', executable: { type: 'existing-path', path: inject('testServerPath') } },
    supportsTimeSkipping: true,
    connectionOptions: { channelArgs: TEST_SERVER_CHANNEL_ARGS },
  });
}

export interface DevServerClients {
  address: string;
  client: Client;
  workerConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectDevServer(): Promise<DevServerClients> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const workerConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection, namespace: 'default' }),
    workerConnection,
    async close() {
      await workerConnection.close();
      await connection.close();
    },
  };
}

/** A task queue of its own for each test, so tests sharing the dev server never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
