// The dev server a bench starts for itself, with the client's and the worker's connections to it; each is stopped
// through the bench's `stops` (run first to last: the connections close before the server stops).
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServerOptions } from '../scripts/dev-server.ts';

export async function startBenchServer(opts: DevServerOptions, stops: Array<() => Promise<unknown>>) {
  const server = await startDevServer(opts);
  stops.unshift(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  stops.unshift(() => connection.close());
  const workerConnection = await NativeConnection.connect({ address: server.address });
  stops.unshift(() => workerConnection.close());
  return { server, connection, workerConnection };
}
