// The worker process: `node --import tsx worker/main.ts`. Stops gracefully on SIGINT/SIGTERM.
import { NativeConnection } from '@temporalio/worker';
import { loadTemporalConfig } from './temporal-config.ts';
import { createJourneyWorker } from './worker.ts';

const config = loadTemporalConfig();
const connection = await NativeConnection.connect(config.connectionOptions).catch((err) => {
  console.error(`worker: cannot reach Temporal at ${config.connectionOptions.address}: ${err.message}`);
  process.exit(1);
});
const worker = await createJourneyWorker({
  connection,
  namespace: config.namespace,
  taskQueue: config.taskQueue,
  activityDeps: { dataDir: process.env.JOURNEY_DATA_DIR ?? 'data' },
});
console.log(`worker: polling task queue "${config.taskQueue}" in namespace "${config.namespace}" at ${config.connectionOptions.address}`);
await worker.run();
await connection.close();
