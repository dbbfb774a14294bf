// Where the worker and the API find Temporal: Temporal's standard environment / profile configuration
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, temporal.toml),
// so one build runs against the dev server, a cluster or Temporal Cloud. The payload encryption
// (JOURNEY_CODEC_KEYS, data-converter.ts) is part of it: every client and worker built from this config
// reads and writes the same encrypted histories.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { Client, type Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { payloadProtectionFromEnv, type PayloadProtection } from './data-converter.ts';

export interface TemporalConfig {
  /** The address always set: the profile's, or localhost:7233. */
  connectionOptions: NativeConnectionOptions & { address: string };
  namespace: string;
  taskQueue: string;
  /** The task queue of the customer workflows (customer:<id>): JOURNEY_CUSTOMER_TASK_QUEUE, by default the journeys'
   *  queue with "-customers" after it. The worker polls it with a worker of its own (worker/worker.ts) and the API
   *  starts every customer:<id> there, so both read it from here. */
  customerTaskQueue: string;
  /** The data converter (with the encryption codec when JOURNEY_CODEC_KEYS is set) every client and worker uses. */
  payloads: PayloadProtection;
}

/** The customers' task queue beside a journeys' queue, when JOURNEY_CUSTOMER_TASK_QUEUE does not name one. */
export function customerTaskQueueOf(taskQueue: string): string {
  return `${taskQueue}-customers`;
}

export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const { connectionOptions, namespace } = loadConnectConfig(env);
  const taskQueue = env.JOURNEY_TASK_QUEUE || 'journeys';
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' },
    namespace: namespace ?? 'default',
    taskQueue,
    customerTaskQueue: env.JOURNEY_CUSTOMER_TASK_QUEUE || customerTaskQueueOf(taskQueue),
    payloads: payloadProtectionFromEnv(env),
  };
}

/**
 * The SDK's reading of the variables and the profile, its errors said with where they come from: the SDK names
 * neither the file nor the variable ("Profile 'prod' not found in config data"), and an empty file fails inside it
 * ("Cannot read properties of undefined (reading 'default')").
 */
function loadConnectConfig(env: NodeJS.ProcessEnv) {
  try {
    return loadClientConnectConfig({
      overrideEnvVars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    });
  } catch (err) {
    // A certificate or key the settings name and that cannot be read: said with the variable that names it.
    const unreadable = (err as NodeJS.ErrnoException).path;
    if (unreadable && unreadable !== env.TEMPORAL_CONFIG_FILE) {
      const namedBy = Object.keys(env).filter((name) => name.startsWith('TEMPORAL_') && env[name] === unreadable);
      const where = namedBy.length ? namedBy.join(', ') : `the ${env.TEMPORAL_PROFILE ?? 'default'} profile's tls table`;
      throw new Error(`cannot read ${unreadable}, named by ${where}: ${(err as Error).message}`);
    }
    const file = env.TEMPORAL_CONFIG_FILE
      ? `${env.TEMPORAL_CONFIG_FILE} (TEMPORAL_CONFIG_FILE)`
      : 'temporal.toml in your config folder (~/.config/temporalio/; TEMPORAL_CONFIG_FILE names another file)';
    const profile = env.TEMPORAL_PROFILE ? `profile "${env.TEMPORAL_PROFILE}" (TEMPORAL_PROFILE)` : 'profile "default"';
    const reason = err instanceof TypeError ? `it has no [profile.<name>] table (${err.message})` : (err as Error).message;
    throw new Error(`cannot read Temporal's connection settings from ${profile} of ${file}: ${reason}`);
  }
}

/** The one way this engine builds a Temporal client: the namespace and the payload codec come with the config. */
export function createTemporalClient(
  connection: Connection,
  config: { namespace: string; payloads?: { dataConverter: DataConverter } },
): Client {
  return new Client({ connection, namespace: config.namespace, dataConverter: config.payloads?.dataConverter });
}
