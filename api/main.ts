// The API process: `node --import tsx api/main.ts`.
import { Client, Connection } from '@temporalio/client';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTemporalConfig } from '../worker/temporal-config.ts';
import { buildApi, type ScaffoldDefinition } from './server.ts';

const apiKeys = (process.env.JOURNEY_API_KEYS ?? '').split(',').filter(Boolean);
if (apiKeys.length === 0) {
  console.error('api: no API key configured. Set JOURNEY_API_KEYS=<key>[,<key>...] (npm start sets a dev key).');
  process.exit(1);
}
const config = loadTemporalConfig();
const connection = await Connection.connect(config.connectionOptions);
const client = new Client({ connection, namespace: config.namespace });
const dir = 'definitions/scaffold';
const definitions = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ScaffoldDefinition);
const app = await buildApi({ client, taskQueue: config.taskQueue, apiKeys, definitions, logger: true });
const port = Number(process.env.JOURNEY_API_PORT ?? 3000);
await app.listen({ host: '127.0.0.1', port });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => app.close().then(() => connection.close()));
