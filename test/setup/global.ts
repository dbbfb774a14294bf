// Once per test run: obtain the Temporal binaries, start one dev server (with our search attributes) for
// the integration tests, and bundle the workflow code once for every worker the tests create.
import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server.ts';
import { WORKFLOWS_PATH } from '../../worker/worker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
    workflowBundlePath: string;
    testServerPath: string;
  }
}

function obtainTemporal(): { cli: string; testServer: string } {
  if (!process.env.TEMPORAL_CLI_PATH || !process.env.TEMPORAL_TEST_SERVER_PATH) {
    const out = execFileSync('bash', ['scripts/obtain-temporal.sh', 'all'], { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
    for (const m of out.matchAll(/export (\w+)='([^']*)'/g)) process.env[m[1]] = m[2];
  }
  return { cli: process.env.TEMPORAL_CLI_PATH!, testServer: process.env.TEMPORAL_TEST_SERVER_PATH! };
}

let server: DevServer | undefined;

export async function setup(project: TestProject) {
  const { cli, testServer } = obtainTemporal();
  server = await startDevServer({ cliPath: cli, port: await freePort(), uiPort: await freePort() });
  const artifacts = join(process.cwd(), 'test', '.artifacts');
  mkdirSync(artifacts, { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  const bundlePath = join(artifacts, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('temporalUiUrl', server.uiUrl);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('testServerPath', testServer);
}

export async function teardown() {
  await server?.stop();
}
