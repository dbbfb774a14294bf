// Brings the whole system up on the embedded defaults: the Temporal dev server (SQLite under data/, web UI),
// the worker and the API as child processes. Ctrl-C stops them in reverse order.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { assertPortFree, startDevServer } from './dev-server.ts';

const dataDir = resolve(process.env.JOURNEY_DATA_DIR ?? 'data');
const temporalPort = Number(process.env.JOURNEY_TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.JOURNEY_UI_PORT ?? 8233);
const apiPort = Number(process.env.JOURNEY_API_PORT ?? 3000);
const apiKey = process.env.JOURNEY_API_KEYS ?? 'dev-key';

function step(msg: string) {
  console.log(`[start] ${msg}`);
}

function fail(msg: string): never {
  console.error(`[start] ${msg}`);
  process.exit(1);
}

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).map((l) => `[${name}] ${l}`).join('\n');
  child.stdout!.on('data', (c) => console.log(prefix(c)));
  child.stderr!.on('data', (c) => console.error(prefix(c)));
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`[start] ${name} exited unexpectedly (code ${code}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

let server: Awaited<ReturnType<typeof startDevServer>> | undefined;

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  step('stopping API, worker and Temporal...');
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await server?.stop();
  step('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await assertPortFree(apiPort, 'journey API');
} catch (err) {
  fail(`${(err as Error).message} (set JOURNEY_API_PORT)`);
}
step(`starting the Temporal dev server (state in ${dataDir}/temporal.sqlite)...`);
server = await startDevServer({
  cliPath: process.env.TEMPORAL_CLI_PATH!,
  port: temporalPort,
  uiPort,
  dbFile: `${dataDir}/temporal.sqlite`,
}).catch((err) => fail(`${err.message} (set JOURNEY_TEMPORAL_PORT / JOURNEY_UI_PORT to use other ports)`));

const env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', JOURNEY_DATA_DIR: dataDir };
step('starting the worker...');
run('worker', 'worker/main.ts', env);
step('starting the API...');
run('api', 'api/main.ts', { ...env, JOURNEY_API_PORT: String(apiPort), JOURNEY_API_KEYS: apiKey });

console.log(`
  journey-engine is up
    Temporal UI   ${server.uiUrl}/namespaces/default/workflows
    API           http://127.0.0.1:${apiPort}   (Authorization: Bearer ${apiKey})
    Temporal      ${server.address}
    data          ${dataDir}
  Ctrl-C stops everything.
`);
