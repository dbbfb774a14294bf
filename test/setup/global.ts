// Once per test run: obtain the Temporal binaries, start one dev server (with our search attributes) for
// the integration tests, and bundle the workflow code once for every worker the tests create. With
// JOURNEY_TEST_TEMPORAL=cluster (`npm run test:cluster`) the shared server is the production topology's instead:
// the Temporal server built from go.temporal.io/server on PostgreSQL (test/setup/cluster-server.ts).
import type { TestProject } from 'vitest/node';
import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server.ts';
import { bundleJourneyWorkflows } from '../../worker/worker.ts';
import { sharedServerKind, startClusterServer, type ClusterServer, type SharedTemporalEnv } from './cluster-server.ts';
import { importScriptExports } from '../support/script-exports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** What each caller sets to reach the shared server: the address, and on the cluster its certificate's files. */
    temporalEnv: SharedTemporalEnv;
    /** The shared server's Temporal UI: the dev server's, or the one beside the cluster's ('' without
     *  TEMPORAL_UI_SERVER_PATH, and test/ui.test.ts skips). */
    temporalUiUrl: string;
    workflowBundlePath: string;
    testServerPath: string;
  }
}

function obtainTemporal(): { cli: string; testServer: string } {
  if (!process.env.TEMPORAL_CLI_PATH || !process.env.TEMPORAL_TEST_SERVER_PATH) {
    importScriptExports('scripts/obtain-temporal.sh', ['all']);
  }
  return { cli: process.env.TEMPORAL_CLI_PATH!, testServer: process.env.TEMPORAL_TEST_SERVER_PATH! };
}

let server: DevServer | ClusterServer | undefined;

/**
 * The SDK starts the time-skipping server as `<path> <port>` with the test process's own stdout and stderr, where
 * the JVM's notices (SLF4J, three lines a start) would land in the test log. This wrapper sends them to a file.
 */
function quietTestServer(testServer: string, artifacts: string, logs: string): string {
  const wrapper = join(artifacts, 'test-server.sh');
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(testServer)} "$@" >>${quote(join(logs, 'test-server.log'))} 2>&1\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

export async function setup(project: TestProject) {
  const { cli, testServer } = obtainTemporal();
  const artifacts = join(process.cwd(), 'test', '.artifacts');
  // This run's logs only: one file per test file (test/setup/worker-logs.ts), the dev server's, the test server's.
  const logs = join(artifacts, 'logs');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const kind = sharedServerKind();
  const serverLog = join(logs, kind === 'cluster' ? 'cluster-server.log' : 'dev-server.log');
  const log = (line: string) => appendFileSync(serverLog, `${line}\n`);
  let uiUrl = '';
  let env: SharedTemporalEnv;
  if (kind === 'cluster') {
    const cluster = await startClusterServer(log, logs);
    uiUrl = cluster.uiUrl ?? '';
    server = cluster;
    env = cluster.env;
    process.stderr.write(
      `[test] the shared Temporal server is the production topology's: ${server.address}, on PostgreSQL in ${server.dir}, mutual TLS and authorization by certificate subject\n`,
    );
  } else {
    const dev = await startDevServer({ cliPath: cli, port: await freePort(), uiPort: await freePort(), log });
    uiUrl = dev.uiUrl;
    server = dev;
    const plain = { TEMPORAL_ADDRESS: dev.address };
    env = { operator: plain, worker: plain, api: plain };
  }
  // The bundle the worker ships (worker/worker.ts: the same converter and the same preloaded, shared modules).
  const { code } = await bundleJourneyWorkflows({
    trace() {},
    debug() {},
    info() {},
    warn: console.warn,
    error: console.error,
    log() {},
  } as never);
  const bundlePath = join(artifacts, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('temporalEnv', env);
  project.provide('temporalUiUrl', uiUrl);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('testServerPath', quietTestServer(testServer, artifacts, logs));
}

export async function teardown() {
  await server?.stop();
}
