// `npm start` as a newcomer meets it: scripts/start.ts brings up its own dev server (SQLite in the data folder),
// worker, API and demo on free ports; within two minutes the demo's runs stand at several stages; Ctrl-C stops
// everything with exit 0; a second start on the same data folder continues the demo instead of starting over.
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../scripts/dev-server.ts';
import { stageCensus } from '../scripts/demo/stage-census.ts';
import type { DemoProgress } from '../scripts/demo/progress-file.ts';
import { waitFor, waitForBanner } from './support/wait.ts';
import { cloudLoginEnv } from './support/cloud-login.ts';

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startNpmStart(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return { child, output: () => output, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

/** After a failure: Ctrl-C first, so start.ts stops its detached dev server too; SIGKILL only if it hangs. */
async function stopOrKill(p: Started): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGINT');
  const exited = await Promise.race([p.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 45_000))]);
  if (!exited) p.child.kill('SIGKILL');
}

describe('npm start (scripts/start.ts) with its own dev server and the demo', () => {
  it('shows demo runs at three or more stages within two minutes, stops on Ctrl-C with exit 0, and a second start continues', async () => {
    if (!process.env.TEMPORAL_CLI_PATH) throw new Error('TEMPORAL_CLI_PATH is not set: run the suite with npm test');
    const dataDir = mkdtempSync(join(tmpdir(), 'journey-start-'));
    const ports = { temporal: await freePort(), ui: await freePort(), api: await freePort(), metrics: await freePort() };
    const env = {
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_TEMPORAL_PORT: String(ports.temporal),
      JOURNEY_UI_PORT: String(ports.ui),
      JOURNEY_API_PORT: String(ports.api),
      JOURNEY_WORKER_METRICS_PORT: String(ports.metrics),
      JOURNEY_API_KEYS: 'start-test-key',
      // A newcomer who also uses Temporal Cloud: their temporal.toml and shell name Cloud with an API key. npm start's
      // worker used to read them, turn TLS on and exit against the plain dev server, taking npm start down.
      ...cloudLoginEnv(join(dataDir, 'operator-config')),
    };
    const first = startNpmStart(env);
    let connection: Connection | undefined;
    try {
      await waitForBanner('the start banner', { ...first, name: 'npm start', banner: 'journey-engine is up' }, 90_000);
      expect(first.output()).toContain(`http://127.0.0.1:${ports.ui}/namespaces/default/workflows`);
      expect(first.output()).toContain(`http://127.0.0.1:${ports.api}`);
      // The caller's own API key is a secret: the banner names where it comes from, never the key.
      expect(first.output()).toContain('Bearer <a key from JOURNEY_API_KEYS>');

      connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      const client = new Client({ connection, namespace: 'default' });
      const census = await waitFor(
        'demo runs at three stages',
        async () => {
          const c = await stageCensus(client);
          return Object.keys(c.byStage).filter((s) => s !== '(starting)').length >= 3 ? c : undefined;
        },
        120_000,
        1000,
      );
      expect(census.runs).toBeGreaterThan(3);
      // Customer data is encrypted in Temporal: a demo run's input is ciphertext under the generated dev key.
      const someRun = (await client.workflow.list({ query: 'WorkflowType = "advocacyJourney"' })[Symbol.asyncIterator]().next()).value!;
      const started = (await client.workflow.getHandle(someRun.workflowId).fetchHistory()).events![0];
      const encoding = started.workflowExecutionStartedEventAttributes!.input!.payloads![0].metadata!.encoding!;
      expect(Buffer.from(encoding).toString()).toBe('binary/encrypted');
      await connection.close();
      connection = undefined;

      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
      expect(first.output()).not.toContain('start-test-key');
      expect(first.output()).toContain('[start] stopped.');
      expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
      // The file is in write-ahead-log mode (scripts/dev-server.ts SQLITE_FILE_PRAGMAS): bytes 18 and 19 of a SQLite
      // header are its write and read versions, 2 for WAL and 1 for a rollback journal.
      const header = readFileSync(join(dataDir, 'temporal.sqlite')).subarray(0, 20);
      expect([header[18], header[19]]).toEqual([2, 2]);
      const progress = JSON.parse(readFileSync(join(dataDir, 'demo', 'progress.json'), 'utf8')) as DemoProgress;
      expect(progress.elapsedSeconds).toBeGreaterThan(0);
      expect(Object.values(progress.sent).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(progress.refused).toEqual([]);
      // The generated referral-code secret is kept, so codes sent before a restart still resolve after it.
      const secret = readFileSync(join(dataDir, 'referral-code-secret'), 'utf8');
      expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/);
      // So are the codec key and the UI's codec token: owner-only files, never printed.
      const codecKeys = readFileSync(join(dataDir, 'codec-keys'), 'utf8');
      expect(codecKeys.trim()).toMatch(/^dev1:[A-Za-z0-9+/]{43}=$/);
      expect(statSync(join(dataDir, 'codec-keys')).mode & 0o077).toBe(0);
      const uiToken = readFileSync(join(dataDir, 'codec-ui-token'), 'utf8').trim();
      expect(first.output()).not.toContain(codecKeys.trim().slice(5));
      expect(first.output()).not.toContain(uiToken);
      expect(first.output()).toContain('customer data is encrypted in Temporal with key "dev1"');

      const second = startNpmStart(env);
      try {
        await waitFor(
          'the second start to resume the demo',
          () =>
            /resuming the demo at \d+s \(\d+ events already sent\)/.test(second.output())
              ? true
              : second.child.exitCode !== null
                ? Promise.reject(new Error(`second npm start exited ${second.child.exitCode}:\n${second.output()}`))
                : undefined,
          90_000,
          1000,
        );
        // The runs of the first start are still there: state survived in the SQLite file.
        connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
        const again = await stageCensus(new Client({ connection, namespace: 'default' }));
        expect(again.runs).toBeGreaterThanOrEqual(census.runs);
        await connection.close();
        connection = undefined;
        second.child.kill('SIGINT');
        expect(await second.exited).toBe(0);
        expect(readFileSync(join(dataDir, 'referral-code-secret'), 'utf8')).toBe(secret);
        expect(readFileSync(join(dataDir, 'codec-keys'), 'utf8')).toBe(codecKeys); // the first start's histories stay readable
      } finally {
        await stopOrKill(second);
      }
    } finally {
      await connection?.close().catch(() => undefined);
      await stopOrKill(first);
    }
  }, 420_000);
});

describe('npm start, signalled as a script would (the npm process itself, not its node child)', () => {
  // npm forwards SIGINT/SIGTERM to the script's shell only; `exec` in package.json and scripts/start.sh makes that
  // shell become scripts/start.ts, so the signal reaches the process that stops the stack in order.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm's pid stops the API, the worker and the dev server, and npm exits 0`, async () => {
      if (!process.env.TEMPORAL_CLI_PATH) throw new Error('TEMPORAL_CLI_PATH is not set: run the suite with npm test');
      const ports = { temporal: await freePort(), ui: await freePort(), api: await freePort(), metrics: await freePort() };
      const child = spawn('npm', ['start', '--silent'], {
        env: {
          ...process.env,
          JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'journey-signal-')),
          JOURNEY_TEMPORAL_PORT: String(ports.temporal),
          JOURNEY_UI_PORT: String(ports.ui),
          JOURNEY_API_PORT: String(ports.api),
          JOURNEY_WORKER_METRICS_PORT: String(ports.metrics),
          JOURNEY_DEMO: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const p: Started = {
        child,
        output: () => output,
        exited: new Promise((r) => child.once('exit', (code) => r(code))),
      };
      let output = '';
      child.stdout!.on('data', (c) => (output += c));
      child.stderr!.on('data', (c) => (output += c));
      const answers = async (url: string) =>
        fetch(url, { signal: AbortSignal.timeout(2000) }).then(
          () => true,
          () => false,
        );
      try {
        await waitForBanner(
          'the start banner',
          { name: 'npm start', child, output: () => output, banner: 'journey-engine is up' },
          120_000,
        );
        expect(await answers(`http://127.0.0.1:${ports.api}/healthz`)).toBe(true);
        child.kill(signal);
        expect(await p.exited, output).toBe(0);
        expect(output).toContain('[start] stopped.');
        // Nothing of the stack is left: the API, the metrics endpoint and the UI no longer answer.
        await waitFor(
          'every port to close',
          async () =>
            !(await answers(`http://127.0.0.1:${ports.api}/healthz`)) &&
            !(await answers(`http://127.0.0.1:${ports.metrics}/metrics`)) &&
            !(await answers(`http://127.0.0.1:${ports.ui}/`)),
          15_000,
          500,
        );
      } finally {
        await stopOrKill(p);
      }
    }, 240_000);
  }
});
