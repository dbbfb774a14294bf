// The worker process as an operator runs it: it checks the namespace's search attributes, serves
// Prometheus metrics, and stops cleanly on SIGTERM. Against the real dev server of the test run.
import { ALL_SEARCH_ATTRIBUTES, CustomerId, journeyWorkflowId } from '../workflows/contract/index.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnNode, type RunningNode } from './support/run-node.ts';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeTemporalProfiles } from '../scripts/start-processes.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { defineSearchAttributeKey, msToTs, SearchAttributeType } from '@temporalio/common';

import { freePort } from '../scripts/dev-server.ts';
import { assertSearchAttributes, findSearchAttributeProblems } from '../worker/search-attributes.ts';
import { loadWorkerSettings } from '../worker/settings.ts';
import { loadTemporalConfig } from '../worker/temporal-config.ts';
import { connectDevServer, sharedTemporalEnv, uniqueTaskQueue, type DevServerClients } from './support/temporal.ts';
import { JOURNEYS_DIR, loadJourneyDir } from '../definitions/loader.ts';
import { PlanRegistry } from '../api/registry.ts';
import { writeDemoJourneys } from '../scripts/demo/demo-journeys.ts';
import { daytimeZones } from '../scripts/demo/population.ts';
import { startFakePostmark } from './postmark/server.ts';
import { auth, startApi } from './api/support.ts';
import { waitFor } from './support/wait.ts';

function startWorkerProcess(env: Record<string, string>, opts: { replaceEnv?: boolean } = {}): RunningNode {
  return spawnNode(['--import', 'tsx', 'worker/main.ts'], opts.replaceEnv ? env : { ...process.env, ...env });
}

describe('the required search attributes are checked against the namespace', () => {
  let temporal: DevServerClients;
  beforeAll(async () => (temporal = await connectDevServer()));
  afterAll(async () => temporal?.close());

  it('finds every attribute the journeys set on the dev server', async () => {
    const problems = await findSearchAttributeProblems(temporal.workerConnection.operatorService, 'default');
    expect(problems).toEqual([]);
  });

  it('names a missing attribute and one registered with another type', async () => {
    const bogus = defineSearchAttributeKey('JourneyBogusAttribute', SearchAttributeType.KEYWORD);
    const mistyped = defineSearchAttributeKey(CustomerId.name, SearchAttributeType.INT);
    const required = [...ALL_SEARCH_ATTRIBUTES, bogus, mistyped];
    const problems = await findSearchAttributeProblems(temporal.workerConnection.operatorService, 'default', required);
    expect(problems).toEqual([
      { name: 'JourneyBogusAttribute', expected: 'KEYWORD' },
      { name: 'CustomerId', expected: 'INT', found: 'KEYWORD' },
    ]);
    await expect(assertSearchAttributes(temporal.workerConnection.operatorService, 'default', required)).rejects.toThrow(
      /JourneyBogusAttribute \(KEYWORD\) is missing: temporal operator search-attribute create --namespace default --name JourneyBogusAttribute --type Keyword/,
    );
  });
});

describe('the worker process', () => {
  it('refuses a namespace without the search attributes, naming each missing one', async () => {
    const temporal = await connectDevServer();
    const namespace = `bare-${randomUUID().slice(0, 8)}`;
    try {
      await temporal.workerConnection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    } finally {
      await temporal.close();
    }
    // As the operator: on the production topology's shared server the worker's own certificate may act in the
    // namespace `default` only, and this one is new.
    const worker = startWorkerProcess({
      ...temporal.envFor('operator'),
      TEMPORAL_NAMESPACE: namespace,
      JOURNEY_TASK_QUEUE: uniqueTaskQueue('bare'),
    });
    expect(await worker.exited).toBe(1);
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(worker.output()).toContain(`${key.name} (${key.type}) is missing`);
    expect(worker.output()).toContain(`namespace "${namespace}" lacks the search attributes`);
  });

  it("serves Prometheus metrics, passes on the core's lines at JOURNEY_WORKER_CORE_LOG_LEVEL, and exits 0 after draining on SIGTERM", async () => {
    const metricsPort = await freePort();
    const taskQueue = uniqueTaskQueue('metrics');
    const worker = startWorkerProcess({
      ...sharedTemporalEnv('worker'),
      TEMPORAL_NAMESPACE: 'default',
      JOURNEY_TASK_QUEUE: taskQueue,
      JOURNEY_LOG_LEVEL: 'info',
      JOURNEY_WORKER_CORE_LOG_LEVEL: 'info',
      JOURNEY_WORKER_METRICS_PORT: String(metricsPort),
      JOURNEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'journey-worker-')),
      JOURNEY_WORKER_SHUTDOWN_GRACE_MS: '5000',
    });
    try {
      await waitFor(
        'the worker to poll',
        () => worker.output().includes('worker: polling task queue') || worker.child.exitCode !== null,
        90_000,
      );
      expect(worker.output()).toContain(`metrics at http://127.0.0.1:${metricsPort}/metrics`);
      let metrics = '';
      await waitFor(
        'worker metrics',
        async () => {
          metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
            .then((r) => r.text())
            .catch(() => '');
          return metrics.includes('temporal_');
        },
        90_000,
      );
      expect(metrics).toMatch(/temporal_\w+\{[^}]*task_queue="metrics-/);
      // The core's INFO line as each worker of the process starts (below WARN, so only with the setting).
      expect(worker.output()).toMatch(new RegExp(`Initializing worker[\\s\\S]{0,600}${taskQueue}`));
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain('worker: stopped');
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it('connects through a Temporal profile file (temporal.toml, TEMPORAL_PROFILE) with no TEMPORAL_ADDRESS set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journey-profile-'));
    const configFile = join(dir, 'temporal.toml');
    // The address, and on the production topology's shared server the worker's certificate, in the profile only.
    const { TEMPORAL_CONFIG_FILE: written } = writeTemporalProfiles(configFile, {
      staging: { ...sharedTemporalEnv('worker'), TEMPORAL_NAMESPACE: 'default' },
    }).staging;
    expect(written).toBe(configFile);
    expect(readFileSync(configFile, 'utf8')).toContain(`address = "${inject('temporalAddress')}"`);
    const { TEMPORAL_ADDRESS: _a, TEMPORAL_NAMESPACE: _n, ...rest } = process.env;
    const worker = startWorkerProcess(
      {
        ...(rest as Record<string, string>),
        TEMPORAL_CONFIG_FILE: configFile,
        TEMPORAL_PROFILE: 'staging',
        JOURNEY_TASK_QUEUE: uniqueTaskQueue('profile'),
        JOURNEY_DATA_DIR: dir,
        JOURNEY_LOG_LEVEL: 'info',
        JOURNEY_WORKER_CORE_LOG_LEVEL: '',
      },
      { replaceEnv: true },
    );
    try {
      await waitFor(
        'the worker to poll',
        () => worker.output().includes('worker: polling task queue') || worker.child.exitCode !== null,
        90_000,
      );
      expect(worker.output()).toContain(`namespace "default" at ${inject('temporalAddress')}`);
      expect(worker.output()).not.toContain('Initializing worker'); // the core's INFO lines stay out by default
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it('a malformed profile file stops the worker with one line naming the problem, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journey-profile-'));
    const configFile = join(dir, 'temporal.toml');
    writeFileSync(configFile, 'this is [not toml\n');
    const worker = startWorkerProcess({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging', JOURNEY_DATA_DIR: dir });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(
      /^worker: cannot read Temporal's connection settings from profile "staging" \(TEMPORAL_PROFILE\) of .*temporal\.toml \(TEMPORAL_CONFIG_FILE\): Invalid TOML document/m,
    );
    expect(worker.output()).not.toMatch(/\n\s+at /); // no stack frames
  });

  it('rejects a concurrency setting that is not a number, naming the variable', () => {
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_MAX_ACTIVITIES: 'lots' })).toThrow(/JOURNEY_WORKER_MAX_ACTIVITIES="lots"/);
    expect(loadWorkerSettings({ JOURNEY_WORKER_MAX_ACTIVITIES: '7', JOURNEY_TASK_QUEUE: 'q' })).toMatchObject({
      maxConcurrentActivityTaskExecutions: 7,
      taskQueue: 'q',
      metricsPort: undefined,
    });
  });

  it("names the config file and the profile when Temporal's connection settings cannot be read from them", () => {
    const dir = mkdtempSync(join(tmpdir(), 'temporal-toml-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const empty = file('empty.toml', '');
    expect(() => loadTemporalConfig({ TEMPORAL_CONFIG_FILE: empty })).toThrow(
      `cannot read Temporal's connection settings from profile "default" of ${empty} (TEMPORAL_CONFIG_FILE): it has no [profile.<name>] table`,
    );
    const prod = file('prod.toml', '[profile.prod]\naddress = "temporal.internal:7233"\n');
    expect(() => loadTemporalConfig({ TEMPORAL_CONFIG_FILE: prod, TEMPORAL_PROFILE: 'staging' })).toThrow(
      `from profile "staging" (TEMPORAL_PROFILE) of ${prod} (TEMPORAL_CONFIG_FILE): Profile 'staging' not found`,
    );
    expect(() => loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file('broken.toml', '[profile\n') })).toThrow(
      /TEMPORAL_CONFIG_FILE\): Invalid TOML/,
    );
    // The default file, found through the config folder, is named by where it lives.
    mkdirSync(join(dir, 'temporalio'));
    writeFileSync(join(dir, 'temporalio', 'temporal.toml'), '');
    expect(() => loadTemporalConfig({ XDG_CONFIG_HOME: dir })).toThrow(
      /of temporal\.toml in your config folder \(~\/\.config\/temporalio\/; TEMPORAL_CONFIG_FILE names another file\): it has no/,
    );
    expect(loadTemporalConfig({ TEMPORAL_CONFIG_FILE: prod, TEMPORAL_PROFILE: 'prod' }).connectionOptions.address).toBe(
      'temporal.internal:7233',
    );
    // A certificate that is not there is named with the variable that names it, not blamed on the file.
    const missing = join(dir, 'client.pem');
    expect(() =>
      loadTemporalConfig({ TEMPORAL_CONFIG_FILE: prod, TEMPORAL_TLS_CLIENT_CERT_PATH: missing, TEMPORAL_TLS_CLIENT_KEY_PATH: missing }),
    ).toThrow(`cannot read ${missing}, named by TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH: ENOENT`);
  });

  it('puts customer:<id> on the journeys\' queue + "-customers" unless JOURNEY_CUSTOMER_TASK_QUEUE names one; its cache follows the journeys\' unless set', () => {
    expect(loadTemporalConfig({ JOURNEY_TASK_QUEUE: 'q' })).toMatchObject({ taskQueue: 'q', customerTaskQueue: 'q-customers' });
    expect(loadTemporalConfig({})).toMatchObject({ taskQueue: 'journeys', customerTaskQueue: 'journeys-customers' });
    expect(loadTemporalConfig({ JOURNEY_TASK_QUEUE: 'q', JOURNEY_CUSTOMER_TASK_QUEUE: 'q' })).toMatchObject({ customerTaskQueue: 'q' });
    expect(loadWorkerSettings({ JOURNEY_WORKER_MAX_CACHED_WORKFLOWS: '500' })).toMatchObject({
      maxCachedWorkflows: 500,
      maxCachedCustomers: 500,
    });
    expect(loadWorkerSettings({ JOURNEY_WORKER_MAX_CACHED_WORKFLOWS: '500', JOURNEY_WORKER_MAX_CACHED_CUSTOMERS: '200' })).toMatchObject({
      maxCachedCustomers: 200,
    });
    expect(loadWorkerSettings({}).maxCachedCustomers).toBeUndefined();
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_MAX_CACHED_CUSTOMERS: '1' })).toThrow(/JOURNEY_WORKER_MAX_CACHED_CUSTOMERS="1"/);
  });

  it("takes the core's log level from JOURNEY_WORKER_CORE_LOG_LEVEL (WARN unless set), naming the variable when it is not a level", () => {
    expect(loadWorkerSettings({}).coreLogLevel).toBe('WARN');
    expect(loadWorkerSettings({ JOURNEY_WORKER_CORE_LOG_LEVEL: 'debug', JOURNEY_LOG_LEVEL: 'debug' })).toMatchObject({
      coreLogLevel: 'DEBUG',
      logLevel: 'DEBUG',
    });
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_CORE_LOG_LEVEL: 'loud' })).toThrow(/JOURNEY_WORKER_CORE_LOG_LEVEL="loud"/);
    expect(() => loadWorkerSettings({ JOURNEY_LOG_LEVEL: 'loud' })).toThrow(/JOURNEY_LOG_LEVEL="loud"/);
  });

  it('keeps workflow stack traces, formatted when asked, unless JOURNEY_WORKER_STACK_TRACES says sdk or off, naming the variable for anything else', () => {
    expect(loadWorkerSettings({}).workflowStackTraces).toBe('on');
    expect(loadWorkerSettings({ JOURNEY_WORKER_STACK_TRACES: '' }).workflowStackTraces).toBe('on');
    expect(loadWorkerSettings({ JOURNEY_WORKER_STACK_TRACES: 'off' }).workflowStackTraces).toBe('off');
    expect(loadWorkerSettings({ JOURNEY_WORKER_STACK_TRACES: 'sdk' }).workflowStackTraces).toBe('sdk');
    expect(loadWorkerSettings({ JOURNEY_WORKER_STACK_TRACES: 'on' }).workflowStackTraces).toBe('on');
    expect(() => loadWorkerSettings({ JOURNEY_WORKER_STACK_TRACES: 'no' })).toThrow(
      /JOURNEY_WORKER_STACK_TRACES="no" is not one of on, sdk, off/,
    );
  });

  it('lets an email send in flight finish when stopped (SIGTERM), then exits 0', async () => {
    const postmark = await startFakePostmark({ serverTokens: ['pm-token'] });
    const journeys = mkdtempSync(join(tmpdir(), 'drain-journeys-'));
    writeDemoJourneys(JOURNEYS_DIR, journeys, { daySeconds: 2 }); // the first ask goes out 4 s after the NPS answer
    const f = await startApi({ registry: PlanRegistry.of((await loadJourneyDir(journeys)).plans) });
    const worker = startWorkerProcess({
      ...sharedTemporalEnv('worker'),
      TEMPORAL_NAMESPACE: 'default',
      JOURNEY_TASK_QUEUE: f.taskQueue,
      JOURNEY_DATA_DIR: f.dataDir,
      JOURNEY_WORKER_SHUTDOWN_GRACE_MS: '20000',
      POSTMARK_SERVER_TOKEN: 'pm-token',
      POSTMARK_API_URL: postmark.url,
      JOURNEY_EMAIL_FROM: 'advocacy@acme.example',
      // Real sending signs every ask's unsubscribe link: a public https URL and a secret (the worker refuses without).
      JOURNEY_PUBLIC_URL: 'https://journeys.acme.example',
      JOURNEY_UNSUBSCRIBE_SECRET: 'worker-test-unsubscribe-secret',
      // The in-process API reads runs without a codec: a local trial (production mode would refuse to start without
      // JOURNEY_CODEC_KEYS, definitions/production-mode.ts).
      JOURNEY_DEV_MODE: '1',
    });
    try {
      await waitFor(
        'the worker to poll',
        () => worker.output().includes('worker: polling task queue') || worker.child.exitCode !== null,
        90_000,
      );
      // Postmark takes the message, then answers only 4 s later: the send is in flight when the worker is told to stop.
      postmark.injectFault({ kind: 'slow', delayMs: 4000 }, '/email');
      const customerId = `drain-${randomUUID().slice(0, 6)}`;
      const res = await f.api.inject({
        method: 'POST',
        url: '/v1/events',
        headers: auth(),
        payload: {
          id: `nps-${customerId}`,
          type: 'nps.submitted',
          customerId,
          occurredAt: new Date().toISOString(),
          data: { score: 10 },
          traits: { email: 'ada@globex.example', firstName: 'Ada', healthScore: 90, timezone: daytimeZones()[0] },
        },
      });
      expect(res.statusCode).toBe(202);
      await waitFor('Postmark to receive the ask', () => postmark.accepted.length > 0, 60_000);
      // The worker stops polling and waits for the send (a send does not give up on cancellation; the grace time
      // bounds activities that do): the process must neither exit nor be killed before Postmark answered.
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);

      const history = await f.temporal.client.workflow.getHandle(journeyWorkflowId('nps-promoter-referral', customerId)).fetchHistory();
      const events = history.events ?? [];
      const sendScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendEmail');
      expect(sendScheduled).toBeDefined();
      const outcome = events.find((e) =>
        [e.activityTaskCompletedEventAttributes, e.activityTaskFailedEventAttributes, e.activityTaskTimedOutEventAttributes].some(
          (a) => a && String(a.scheduledEventId) === String(sendScheduled!.eventId),
        ),
      );
      expect(outcome?.activityTaskCompletedEventAttributes).toBeTruthy(); // completed, not failed or cut off
      expect(postmark.accepted).toHaveLength(1);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await f.close();
      await postmark.close();
    }
  });
});
