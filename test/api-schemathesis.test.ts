// Property-based run of generated requests from the OpenAPI document against the running API (real dev server
// behind it): schemathesis must find no 5xx. Skips ONLY when python3 or its venv/pip is missing, and says so loudly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import type { Worker } from '@temporalio/worker';
import { createJourneyWorker } from '../worker/worker.ts';
import { workflowBundle } from './support/temporal.ts';
import { startApi, type ApiFixture } from './api/support.ts';

function schemathesisUnavailable(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' });
  } catch {
    return 'python3 with venv/ensurepip is not installed';
  }
  try {
    execFileSync('bash', ['scripts/schemathesis.sh', '--install-only'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  } catch (err) {
    return `installing schemathesis from PyPI failed: ${(err as Error).message}`;
  }
  return undefined;
}

const missing = schemathesisUnavailable();
if (missing) console.warn(`\n!!! SKIPPING the schemathesis property test: ${missing}. Install python3 + python3-venv to run it. !!!\n`);

describe.skipIf(missing !== undefined)('generated requests from the OpenAPI document (schemathesis)', () => {
  let f: ApiFixture;
  let base: string;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    f = await startApi();
    // The whole system as npm start runs it: a worker polls the API's task queue (customer updates need it).
    worker = await createJourneyWorker({ connection: f.temporal.workerConnection, namespace: 'default', taskQueue: f.taskQueue, activityDeps: { dataDir: f.dataDir, customers: { client: f.temporal.client, taskQueue: f.taskQueue } }, workflowBundle: workflowBundle() });
    running = worker.run();
    base = await f.api.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await f?.close();
  });

  it('finds no 5xx', async () => {
    // The KPI report answers 501 until the tracking module provides it (buildApi's kpiReport): excluded until then.
    console.warn('!!! schemathesis: GET /v1/reports/kpis excluded: the KPI report is not wired into the API yet (501) !!!');
    // One worker: with several threads hypothesis' lambda-source parsing can raise a spurious AST recursion error (schemathesis 4.32.5, Python 3.11).
    const child = spawn('bash', ['scripts/schemathesis.sh', base, 'all-key', '--workers', '1', '--exclude-path', '/v1/reports/kpis'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    console.log(out.split('\n').slice(-40).join('\n'));
    expect(out).toMatch(/operations|Operations/);
    expect(code, out).toBe(0);
  }, 600_000);
});
