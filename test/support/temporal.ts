// Test helpers for the two real Temporal servers: the shared dev server and a time-skipping test server.
import { customerTaskQueueOf, loadTemporalConfig } from '../../worker/temporal-config.ts';
import type { SharedCaller } from '../setup/cluster-server.ts';
import { inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { createTimeSkippingEnv as createSharedTimeSkippingEnv } from '../../scripts/time-skipping-env.ts';

export function workflowBundle() {
  return { codePath: inject('workflowBundlePath') };
}

/** A time-skipping environment on the suite's test server, with the relaxed keepalive (scripts/time-skipping-env.ts). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return createSharedTimeSkippingEnv(inject('testServerPath'));
}

/**
 * What a process sets to reach the suite's shared server (Temporal's envconfig variables): its address, and under
 * `npm run test:cluster` the TLS files of the caller's own certificate there (test/setup/cluster-server.ts). A
 * worker or an API process started by a test passes its own kind; the `operator` (the tests' own clients) may do
 * anything, the `worker` and the `api` only write in the namespace `default`.
 */
export function sharedTemporalEnv(caller: SharedCaller = 'operator'): Record<string, string> {
  return inject('temporalEnv')[caller];
}

export interface DevServerClients {
  address: string;
  /** sharedTemporalEnv(caller), for the processes a test starts. */
  envFor(caller: SharedCaller): Record<string, string>;
  client: Client;
  workerConnection: NativeConnection;
  close(): Promise<void>;
}

/** Clients of the suite's shared server, as the operator (sharedTemporalEnv). */
export async function connectDevServer(): Promise<DevServerClients> {
  const address = inject('temporalAddress');
  // Over this process's environment, which vitest.config.ts keeps free of the caller's Temporal settings.
  const { connectionOptions } = loadTemporalConfig({ ...process.env, ...sharedTemporalEnv('operator') });
  const connection = await Connection.connect(connectionOptions);
  const workerConnection = await NativeConnection.connect(connectionOptions);
  return {
    address,
    envFor: sharedTemporalEnv,
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

/** Ends the runs a test left running on its task queues of the shared dev server, so none outlives the test: on each
 *  queue and on the customers' queue beside it, where worker/main.ts and the API process run customer:<id>. */
export async function terminateRunsOn(client: Client, ...taskQueues: string[]): Promise<void> {
  for (const q of taskQueues) {
    const query = `(TaskQueue = "${q}" OR TaskQueue = "${customerTaskQueueOf(q)}") AND ExecutionStatus = "Running"`;
    for await (const wf of client.workflow.list({ query })) {
      await client.workflow
        .getHandle(wf.workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
  }
}
