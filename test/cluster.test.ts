// The engine on the production-shaped topology (`npm run start:cluster`): a private PostgreSQL, the Temporal server
// built from go.temporal.io/server on it, two workers and two APIs. Events go through both APIs; a worker and an API
// are killed with SIGKILL while the runs are under way and the launcher restarts them; every promoter still gets
// exactly one ask through the real postmark client (test/postmark), the tracking logs of the killed worker and of the
// worker that took its runs reach `journey report`, and Ctrl-C stops everything, PostgreSQL included, with exit 0.
// The frontend runs on mutual TLS (JOURNEY_CLUSTER_TLS=mtls), so every process reaches it with the client certificate
// of its kind and may do only what that certificate's subject is granted, and a second start continues on the same
// state and certificates.
// Needs PostgreSQL (Debian's package; scripts/test.sh installs it as root): without it the test is skipped, loudly.
import { JEMALLOC_PATHS } from '../worker/allocator.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeClusterPorts } from '../scripts/cluster/ports.ts';
import { writeDemoJourneys } from '../scripts/demo/demo-journeys.ts';
import { writeDemoContactPolicy } from '../scripts/demo/demo-contact-policy.ts';
import { JOURNEYS_DIR } from '../definitions/loader.ts';
import { startFakePostmark, type AcceptedMessage, type FakePostmark } from './postmark/server.ts';
import { waitFor, waitForBanner } from './support/wait.ts';
import { clusterDiagnostics } from './support/cluster-diagnostics.ts';
import { engineCacheDir } from '../cli/engine-cache.ts';
import { importScriptExports } from './support/script-exports.ts';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalConfig } from '../worker/temporal-config.ts';
import { probeTemporal, TemporalRefusedError } from '../worker/temporal-connect.ts';
import { launchChromium } from './ui/browser.ts';
import { issueCertificates } from '../scripts/cluster/tls.ts';
import { openRun, openUserMetadata, searchWorkflows, visibleText } from './ui/temporal-ui.ts';
import { cloudLoginEnv } from './support/cloud-login.ts';

/** Debian's PostgreSQL binaries, or why they cannot be had here (obtain-postgres.sh installs them as root). */
function obtainPostgres(): { binDir?: string; reason?: string } {
  try {
    const out = execFileSync('bash', ['scripts/cluster/obtain-postgres.sh'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return { binDir: /JOURNEY_PG_BIN='([^']+)'/.exec(out)?.[1] };
  } catch (err) {
    return { reason: ((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim() };
  }
}
const pg = obtainPostgres();
if (!pg.binDir) {
  // Straight to stderr: vitest keeps console output of tests that did not fail to itself, and this must be seen.
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! test/cluster.test.ts SKIPPED: PostgreSQL cannot be installed here, so the production topology is NOT tested.\n!! ${pg.reason}\n${bar}\n\n`,
  );
}

interface ClusterFile {
  processes: Array<{ name: string; pid: number; url?: string; metricsPort?: number }>;
  temporalMetricsUrl?: string;
  temporalAddress: string;
  namespace: string;
  /** How a process reaches this Temporal (envconfig variables: the address, and the TLS files with mtls). */
  temporalEnv: Record<string, string>;
  temporalUiUrl?: string;
}

const TOKEN = 'cluster-test-token';
const API_KEY = 'cluster-test-key';
const PROMOTERS = ['cl-p1', 'cl-p2', 'cl-p3', 'cl-p4', 'cl-p5', 'cl-p6'];
const traits = (id: string) => ({ email: `${id}@customer.example`, firstName: id, timezone: 'UTC', healthScore: 90, segment: 'smb' });

describe('the production topology: PostgreSQL, temporal-server, two workers, two APIs', () => {
  let launcher: ChildProcess | undefined;
  let output = '';
  let postmark: FakePostmark | undefined;
  let dataDir = '';
  afterAll(async () => {
    if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 60_000).unref() && launcher!.once('exit', r));
    }
    await postmark?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  beforeAll(() => {
    if (!pg.binDir) return;
    // Normally done by scripts/test.sh; the first builds take minutes.
    if (!process.env.TEMPORAL_SERVER_PATH) importScriptExports('scripts/cluster/obtain-temporal-server.sh');
    if (!process.env.TEMPORAL_UI_SERVER_PATH) importScriptExports('scripts/cluster/obtain-temporal-ui.sh');
  }, 1_800_000);

  const title =
    'events through both APIs survive a worker and an API killed with SIGKILL: one ask per promoter, the killed worker and another in the report';
  it.skipIf(!pg.binDir)(
    pg.binDir ? title : `${title} (SKIPPED: PostgreSQL cannot be installed here)`,
    async () => {
      postmark = await startFakePostmark({ serverTokens: [TOKEN] });
      dataDir = mkdtempSync(join(tmpdir(), 'journey-cluster-'));
      chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its folder
      // The shipped journeys with a day of 2 s (as npm start's demo), so the first ask comes within seconds.
      const journeysDir = join(dataDir, 'journeys');
      writeDemoJourneys(JOURNEYS_DIR, journeysDir, { daySeconds: 2 });
      const policy = join(dataDir, 'contact-policy.json');
      writeDemoContactPolicy(undefined, policy, { daySeconds: 2 });
      const ports = await freeClusterPorts();
      const apiPorts = ports.JOURNEY_CLUSTER_API_PORTS.split(',').map(Number);
      // Started from the shell of an operator logged in to Temporal Cloud: the launcher's processes, and the temporal
      // CLI after sourcing temporal.env, reach this cluster all the same (scripts/start-processes.ts, launchedEnv).
      const cloudLogin = cloudLoginEnv(join(dataDir, 'operator-config'));
      const launcherEnv = {
        ...process.env,
        ...cloudLogin,
        JOURNEY_PG_BIN: pg.binDir!,
        JOURNEY_DATA_DIR: join(dataDir, 'cluster'),
        JOURNEY_CLUSTER_TLS: 'mtls',
        ...ports,
        JOURNEY_API_KEYS: API_KEY,
        JOURNEY_JOURNEYS_DIR: journeysDir,
        JOURNEY_CONTACT_POLICY: policy,
        POSTMARK_SERVER_TOKEN: TOKEN,
        POSTMARK_API_URL: postmark.url,
        JOURNEY_PUBLIC_URL: 'https://journeys.example.test',
        JOURNEY_UNSUBSCRIBE_SECRET: 'cluster-test-unsubscribe-secret',
      };
      const launch = async () => {
        output = '';
        launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster/start-cluster.ts'], {
          env: launcherEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        launcher.stdout!.on('data', (c) => (output += c));
        launcher.stderr!.on('data', (c) => (output += c));
        const exited = new Promise<number | null>((r) => launcher!.once('exit', (code) => r(code)));
        await waitForBanner(
          'the cluster banner',
          { name: 'start:cluster', child: launcher, output: () => output, banner: 'journey-engine cluster is up' },
          600_000,
        );
        return { exited }; // wrapped: an async function returning the promise itself would wait for the exit
      };
      let { exited } = await launch();
      for (const port of apiPorts) expect(output).toContain(`http://127.0.0.1:${port}`);
      const clusterFile = join(dataDir, 'cluster', 'processes.json');
      const before = JSON.parse(readFileSync(clusterFile, 'utf8')) as ClusterFile;
      expect(output).toMatch(/mutual TLS: issued ca, server, operator, worker, api, ui, temporal-system certificate\(s\)/);
      // Mutual TLS: the processes.json's settings reach Temporal; a process without TLS, or with TLS and no client
      // certificate, is refused at once and told which setting to look at.
      const temporalOptions = loadTemporalConfig(before.temporalEnv).connectionOptions;
      await expect(probeTemporal(temporalOptions, {})).resolves.toBeUndefined();
      const refusal = (env: Record<string, string>) =>
        probeTemporal(loadTemporalConfig(env).connectionOptions, {}).then(
          () => 'connected',
          (err: Error) => (err instanceof TemporalRefusedError ? err.message : `not refused: ${err.message}`),
        );
      expect(await refusal({ TEMPORAL_ADDRESS: before.temporalAddress })).toMatch(/TEMPORAL_TLS/);
      // (Nor the launcher's temporal.toml, whose profile holds the same certificate.)
      const {
        TEMPORAL_TLS_CLIENT_CERT_PATH: _cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: _key,
        TEMPORAL_CONFIG_FILE: _profile,
        ...noClientCert
      } = before.temporalEnv;
      expect(await refusal(noClientCert)).toMatch(/refused this process's client certificate \(TEMPORAL_TLS_CLIENT_CERT_PATH\)/);
      // What the banner tells an operator to source reaches it with Temporal's own CLI.
      const cliCount = () =>
        execFileSync('bash', ['-c', `. '${join(dataDir, 'cluster', 'temporal.env')}' && "$TEMPORAL_CLI_PATH" workflow count`], {
          env: { ...process.env, ...cloudLogin },
        }).toString();
      expect(cliCount()).toMatch(/^Total: \d+/m);
      const pidOf = (c: ClusterFile, name: string) => c.processes.find((p) => p.name === name)!.pid;
      // The server's Prometheus metrics, where bench/scale.ts reads the workflow tasks and queries it timed out.
      expect(await (await fetch(before.temporalMetricsUrl!)).text()).toMatch(/^service_requests\{/m);
      // The workers and the APIs run with jemalloc where it is installed (start-cluster.sh installs it as root):
      // worker/allocator.ts, JOURNEY_WORKER_ALLOCATOR and JOURNEY_API_ALLOCATOR.
      // Each kind of caller shows its own client certificate: the workers and the APIs choose their profile of the
      // launcher's temporal.toml, the UI and the server's own worker name theirs in their config, the operator's is the
      // default profile (temporal.env).
      const tlsDir = join(dataDir, 'cluster', 'tls');
      const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      for (const [name, profile] of [
        ['worker-1', 'worker'],
        ['worker-2', 'worker'],
        ['api-1', 'api'],
        ['api-2', 'api'],
      ] as const) {
        expect(environ(pidOf(before, name)), name).toContain(`TEMPORAL_PROFILE=${profile}`);
        expect(environ(pidOf(before, name)), name).toContain(`TEMPORAL_TLS_CLIENT_CERT_PATH=${join(tlsDir, `${profile}.pem`)}`);
      }
      const profiles = readFileSync(join(dataDir, 'cluster', 'temporal.toml'), 'utf8');
      for (const profile of ['worker', 'api']) expect(profiles).toContain(`client_cert_path = "${join(tlsDir, `${profile}.pem`)}"`);
      expect(before.temporalEnv.TEMPORAL_TLS_CLIENT_CERT_PATH).toBe(join(tlsDir, 'operator.pem'));
      expect(readFileSync(join(dataDir, 'cluster', 'ui', 'config', 'cluster.yaml'), 'utf8')).toContain(
        `certFile: "${join(tlsDir, 'ui.pem')}"`,
      );
      expect(readFileSync(join(dataDir, 'cluster', 'temporal', 'config', 'cluster.yaml'), 'utf8')).toContain(
        `certFile: "${join(tlsDir, 'temporal-system.pem')}"`,
      );
      if (JEMALLOC_PATHS.some((p) => existsSync(p)))
        for (const name of ['worker-1', 'worker-2', 'api-1', 'api-2'])
          expect(readFileSync(`/proc/${pidOf(before, name)}/maps`, 'utf8'), `${name}'s malloc`).toContain('libjemalloc');
      // Each caller may do what its certificate's subject is granted (clusterCallerPermissions), the least it needs:
      // the rest of this test is the workers, the APIs and the UI doing their work with only that. A worker's
      // certificate may neither change the namespace nor list the cluster's namespaces, the UI's may not change the
      // namespace, and a certificate the same CA signed for a subject not listed may call nothing; the operator's may.
      expect(readFileSync(join(dataDir, 'cluster', 'temporal', 'config', 'cluster.yaml'), 'utf8')).toContain('claimMapper: "tls-subject"');
      expect(output).toContain(
        'authorization by certificate subject: journey-engine-operator temporal-system:admin; journey-engine-worker default:write; journey-engine-api default:write; journey-engine-ui temporal-system:read default:write; journey-engine-temporal-system temporal-system:admin; any other certificate may call nothing',
      );
      issueCertificates(tlsDir, 'temporal-frontend', { clients: ['stranger'] }); // journey-engine-stranger, the same CA
      const { TEMPORAL_CONFIG_FILE: _file, ...operatorEnv } = before.temporalEnv;
      const asCaller = async (name: string, call: (c: Connection) => Promise<unknown>) => {
        const { connectionOptions } = loadTemporalConfig({
          ...operatorEnv,
          TEMPORAL_TLS_CLIENT_CERT_PATH: join(tlsDir, `${name}.pem`),
          TEMPORAL_TLS_CLIENT_KEY_PATH: join(tlsDir, `${name}.key`),
        });
        const connection = await Connection.connect(connectionOptions);
        try {
          await call(connection);
          return 'allowed';
        } catch (err) {
          return (err as { code?: number }).code === 7 ? 'denied' : `failed otherwise: ${(err as Error).message}`;
        } finally {
          await connection.close();
        }
      };
      const describeNamespace = (c: Connection) => c.workflowService.describeNamespace({ namespace: before.namespace });
      const listNamespaces = (c: Connection) => c.workflowService.listNamespaces({});
      const updateNamespace = (c: Connection) =>
        c.workflowService.updateNamespace({ namespace: before.namespace, updateInfo: { description: 'changed by a test' } });
      expect(
        {
          worker: [
            await asCaller('worker', describeNamespace),
            await asCaller('worker', listNamespaces),
            await asCaller('worker', updateNamespace),
          ],
          api: [await asCaller('api', describeNamespace), await asCaller('api', listNamespaces), await asCaller('api', updateNamespace)],
          ui: [await asCaller('ui', describeNamespace), await asCaller('ui', listNamespaces), await asCaller('ui', updateNamespace)],
          stranger: [await asCaller('stranger', describeNamespace), await asCaller('stranger', listNamespaces)],
          operator: [await asCaller('operator', describeNamespace), await asCaller('operator', listNamespaces)],
        },
        'describe the namespace, list the namespaces, change the namespace',
      ).toEqual({
        worker: ['allowed', 'denied', 'denied'],
        api: ['allowed', 'denied', 'denied'],
        ui: ['allowed', 'allowed', 'denied'],
        stranger: ['denied', 'denied'],
        operator: ['allowed', 'allowed'],
      });

      const post = (port: number, body: unknown) =>
        fetch(`http://127.0.0.1:${port}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const nps = (id: string, score: number) => ({
        id: `${id}-nps`,
        type: 'nps.submitted',
        customerId: id,
        occurredAt: new Date().toISOString(),
        data: { score },
        traits: traits(id),
      });
      // Half the promoters through each API, and a detractor, who must get no ask.
      const first = [
        ...PROMOTERS.slice(0, 3).map((id, i) => [apiPorts[i % 2], nps(id, 10)] as const),
        [apiPorts[1], nps('cl-d1', 2)] as const,
      ];
      for (const [port, event] of first) expect((await post(port, event)).status).toBe(202);

      // Which workers hold runs: each has written tracking records of those runs (one log file per process).
      const trackingPids = () =>
        (existsSync(join(dataDir, 'cluster', 'tracking')) ? readdirSync(join(dataDir, 'cluster', 'tracking')) : []).map((f) =>
          Number(/-(\d+)\.ndjson$/.exec(f)?.[1]),
        );
      const workerNames = ['worker-1', 'worker-2'];
      const wrote = () => workerNames.filter((name) => trackingPids().includes(pidOf(before, name)));
      const diagnostics = () =>
        clusterDiagnostics({
          temporalOptions,
          namespace: before.namespace,
          taskQueues: ['journeys', 'journeys-customers'],
          processes: before.processes,
        });
      await waitFor('a worker to write tracking', () => wrote().length > 0 || undefined, 120_000).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await diagnostics()}\nthe launcher said:\n${output.slice(-4000)}`);
      });
      // Which worker takes a new run's first task is the server's choice, and every later task of a run goes to the
      // worker that holds it (its sticky queue), so the three promoters' runs can all land on one worker. While one
      // worker has written nothing, another promoter whom the journey disqualifies (health score below 60: a run
      // that writes its tracking records and sends no ask, so the counts below do not move) starts a new run every
      // 5 s, for a minute. Not detractors: events are routed only where they can open a cycle, so a detractor starts
      // no journey run, only customer:<id>, which writes no tracking (bench/README.md, scale, stop 55). If one worker
      // still takes no run, the test goes on (the worker killed below is then the one holding the runs, so they must
      // move) and says so loudly, with what the server and each worker say about their polls.
      let probes = 0;
      const disqualified: string[] = [];
      const bothWrote = await waitFor(
        'both workers to write tracking',
        async () => {
          if (wrote().length === workerNames.length) return true;
          if (++probes % 25 === 0) {
            const id = `cl-q${disqualified.length + 1}`;
            disqualified.push(id);
            const lowHealth = { ...nps(id, 10), traits: { ...traits(id), healthScore: 30 } };
            expect((await post(apiPorts[disqualified.length % 2], lowHealth)).status).toBe(202);
          }
          return undefined;
        },
        60_000,
      ).catch(() => false);
      if (!bothWrote) {
        const said = `test/cluster.test.ts: only ${wrote().join(', ')} took runs in a minute (${disqualified.length} more runs of disqualified promoters)\n${await diagnostics()}`;
        const bar = '!'.repeat(100);
        process.stderr.write(`\n${bar}\n!! ${said}\n${bar}\n\n`);
        // A passing run's output is not kept by CI, so the anomaly is also appended to the project's cache folder,
        // which outlives the clone, with the launcher's last words: read it when investigating.
        mkdirSync(engineCacheDir(), { recursive: true });
        appendFileSync(
          engineCacheDir('cluster-test-anomalies.log'),
          `== ${new Date().toISOString()} in ${process.cwd()}\n${said}\nthe launcher said:\n${output.slice(-4000)}\n\n`,
        );
      }

      // A worker that holds runs and an API die without warning while those runs are under way (their asks are
      // seconds away).
      const victim = wrote().includes('worker-1') ? 'worker-1' : wrote()[0];
      process.kill(pidOf(before, victim), 'SIGKILL');
      process.kill(pidOf(before, 'api-2'), 'SIGKILL');
      // The other API keeps taking events meanwhile.
      expect((await post(apiPorts[0], nps(PROMOTERS[3], 9))).status).toBe(202);
      await waitFor(
        'the launcher to restart both',
        () => output.includes(`${victim} restarted`) && output.includes('api-2 restarted'),
        120_000,
      );
      await waitFor(
        'the restarted API',
        () =>
          fetch(`http://127.0.0.1:${apiPorts[1]}/healthz`).then(
            (r) => r.ok,
            () => undefined,
          ),
        120_000,
      );
      for (const id of PROMOTERS.slice(4)) expect((await post(apiPorts[1], nps(id, 9))).status).toBe(202);
      // An event repeated to the restarted API (a client's retry) is the same event: still one ask.
      expect((await post(apiPorts[1], nps(PROMOTERS[0], 10))).status).toBe(202);

      const asks = await waitFor(
        'one ask per promoter in Postmark',
        () => {
          const to = postmark!.accepted.map((m) => String(m.body.To));
          return PROMOTERS.every((id) => to.some((t) => t.includes(`${id}@`))) ? to : undefined;
        },
        300_000,
        1000,
      );
      // No send went out twice: every message Postmark accepted has a send key of its own (an ask, each reminder).
      const sendKeyOf = (m: AcceptedMessage) => String(m.body.Metadata?.sendKey);
      const sendKeys = postmark.accepted.map(sendKeyOf);
      expect(new Set(sendKeys).size).toBe(sendKeys.length);
      // Each promoter's first ask (attempt 1 of the invite) went out once. Reminders come later (days of 2 s) and the
      // second one reuses the invite's template and subject, so the subject alone does not tell a first ask: when the
      // test waits out a worker that takes no runs (above), an early promoter's second reminder is already out.
      const firstAsks = postmark.accepted.filter(
        (m) => String(m.body.Subject).includes('know a team') && /:invite:[^:]+:1$/.test(sendKeyOf(m)),
      );
      for (const id of PROMOTERS) expect(firstAsks.filter((m) => String(m.body.To).includes(`${id}@`))).toHaveLength(1);
      for (const id of ['cl-d1', ...disqualified]) expect(asks.some((t) => t.includes(`${id}@`))).toBe(false);

      // The operator's Temporal UI beside the cluster, in Chromium: it reaches the frontend through mutual TLS (the
      // search lists the run) and decodes the run's encrypted summary through API 1's codec endpoint.
      expect(before.temporalUiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const runId = `journey:nps-promoter-referral:${PROMOTERS[0]}`;
        await searchWorkflows(page, before.temporalUiUrl!, before.namespace, `CustomerId = "${PROMOTERS[0]}"`);
        await expect.poll(() => page.getByRole('link', { name: runId, exact: true }).count(), { timeout: 30_000 }).toBe(1);
        await openRun(page, runId);
        await openUserMetadata(page);
        await expect
          .poll(() => visibleText(page), { timeout: 30_000 })
          .toContain(`for ${PROMOTERS[0]}`)
          .catch(async (err: Error) => {
            throw new Error(`${err.message}\npage text:\n${await visibleText(page)}`);
          });
      } finally {
        await browser.close();
      }

      // The tracking logs of the workers reach the report: the report reads every process's file, the killed
      // worker's included (the other asks were then written by another worker process), and counts each promoter
      // asked once.
      const report = await waitFor(
        'every promoter asked, in the report',
        () => {
          const out = execFileSync(process.execPath, [
            'cli/journey.mjs',
            'report',
            '--data',
            join(dataDir, 'cluster'),
            '--json',
            '--kpi',
            'asked-customers',
            '--journey',
            'nps-promoter-referral',
          ]).toString();
          const r = JSON.parse(out) as { groups: Array<{ values: Record<string, number | null> }>; sources: { files: string[] } };
          return r.groups[0]?.values['asked-customers'] === PROMOTERS.length ? r : undefined;
        },
        120_000,
        2000,
      );
      const pidsInReport = report.sources.files.map((f) => Number(/-(\d+)\.ndjson$/.exec(f)?.[1]));
      expect(pidsInReport).toEqual(expect.arrayContaining(trackingPids()));
      const after = JSON.parse(readFileSync(clusterFile, 'utf8')) as ClusterFile;
      const workerPids = new Set(workerNames.flatMap((name) => [pidOf(before, name), pidOf(after, name)]));
      const workersInReport = new Set(pidsInReport.filter((pid) => workerPids.has(pid)));
      expect(workersInReport).toContain(pidOf(before, victim));
      expect(workersInReport.size).toBeGreaterThanOrEqual(2);

      // The server refused no call of any process in the whole run (the workers, the APIs, the UI in Chromium, the
      // launcher's restarts of a worker and an API): the calls it counts as unauthorized are the 7 this test made
      // above to see the refusals (worker 2, api 2, ui 1, stranger 2).
      const unauthorized = (await (await fetch(before.temporalMetricsUrl!)).text())
        .split('\n')
        .filter((line) => line.startsWith('service_errors_unauthorized{'))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
      expect(unauthorized).toBe(7);

      // Ctrl-C: everything stops in order, exit 0, PostgreSQL with it.
      const stopAndCheck = async () => {
        launcher!.kill('SIGINT');
        expect(await exited).toBe(0);
        expect(output).toContain('temporal-server stopped');
        expect(existsSync(join(dataDir, 'cluster', 'postgres', 'pgdata', 'postmaster.pid'))).toBe(false);
      };
      await stopAndCheck();

      // A second start continues: the same certificates, and every promoter's run is still there. Just after a
      // restart the frontend serves before matching has joined the ring (UNAVAILABLE "Not enough hosts to serve the
      // request"), which failed the launcher's wait for the workers' polls: it waits that out now.
      // The operator's own grants, in the data folder's authorization.json: from this start the stranger's certificate
      // may read in the namespace, and still not list the namespaces nor change one; the UI's is shut out (an empty
      // list: how a certificate is revoked, the server having no revocation list).
      writeFileSync(
        join(dataDir, 'cluster', 'authorization.json'),
        JSON.stringify({ subjects: { 'journey-engine-stranger': ['default:read'], 'journey-engine-ui': [] } }),
      );
      ({ exited } = await launch());
      expect(output).toContain('mutual TLS: the certificates in');
      expect(output).toContain('journey-engine-ui (nothing)');
      expect(output).toContain(
        `authorization: journey-engine-stranger, journey-engine-ui as ${join(dataDir, 'cluster', 'authorization.json')} says`,
      );
      expect([
        await asCaller('stranger', describeNamespace),
        await asCaller('stranger', listNamespaces),
        await asCaller('stranger', updateNamespace),
        await asCaller('ui', describeNamespace),
        await asCaller('ui', listNamespaces),
      ]).toEqual(['allowed', 'denied', 'denied', 'denied', 'denied']);
      // On the ports of the last start (stickyLowFreePorts), the server does not wait 30 s trying to join the last
      // start's services where nothing answers any more before it bootstraps alone (the restart took 60 s, not 11 s).
      expect(readFileSync(join(dataDir, 'cluster', 'temporal', 'temporal-server.log'), 'utf8')).not.toContain(
        'unable to bootstrap ringpop',
      );
      const connection = await Connection.connect(temporalOptions);
      try {
        const client = new Client({ connection, namespace: before.namespace });
        for (const id of PROMOTERS) {
          const run = await client.workflow.getHandle(`journey:nps-promoter-referral:${id}`).describe();
          expect(run.type).toBe('advocacyJourney');
        }
      } finally {
        await connection.close();
      }
      await stopAndCheck();
    },
    1_200_000,
  );
});
