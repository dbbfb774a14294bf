// Benchmark: the advocate pages' request latency, our path against raw baselines, in one run.
//   raw static    = a bare node:http handler answering the referral page's own bytes (no framework, no lookup)
//   raw query     = client.workflow query journeyState straight from the bench (the Temporal round trip alone)
//   raw signals   = client.workflow signal of the advocate's run and of their customer workflow, at once (what ingest
//                   does with a referral, without the API): of an event the run refuses (nothing follows), and of a
//                   real referral (the run and the customer workflow then work, as after a POST: the POST's baseline)
//   ours GET /r   = the hosted referral page (code resolved, the advocate's run queried: cold = first visit of a
//                   code, warm = within the 15 s lookup cache), with the CSRF cookie, rendered
//   ours POST /r  = a filled form: CSRF check, rate limits, one referral.submitted through ingest (two Temporal signals)
//   ours GET /a   = the advocate status page (the run queried every time, the leaderboard from the tracking log, cached)
//   ours GET /o, POST /o = the account owner's task page and answer (bench/pages-owner.ts), against the same Temporal
//                   calls made straight (a query; a query then two signals)
//   paced rows    = the real-referral signals and POST /r again, arriving as a Poisson process (mean
//                   BENCH_PAGES_GAP_MS = 1000 ms apart) instead of back to back: see bench/README.md for why that rate
// Requests one at a time (latency, not throughput), each row N requests (the cold, signal and POST rows one per advocate). Everything is its own: a dev server on free
// ports, a worker running demo copies of the shipped journeys (1 day = 2 s, so asks go out in seconds), the API.
// The worker runs in its own process (worker/main.ts, as `npm start` and the cluster run it): in the API's process its
// activities and the SDK's callbacks held the API's event loop (event-loop delay p99 41-122 ms while the POST row ran),
// which no API request meets in production. BENCH_PAGES_WORKER=inline runs it in the bench's process as before.
// The API runs in its own process too (api/main.ts, as `npm start` runs it), so the load generator, the raw
// baselines' client and the API do not share one event loop; BENCH_PAGES_API=inline runs it in the bench's process
// (then the cpu/req column includes the API's CPU; with the API apart it is the client's alone).
// Run: eval "$(bash scripts/obtain-temporal.sh cli)" && node --import tsx bench/pages.ts [N=200] [ADVOCATES=60] [OWNERS=20]
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { LIMIT_MS, pct, printRows, timed, timedPacedPair, type Row } from './pages-timing.ts';
import { ownerTaskFilesForBench, ownerTaskLinks, ownerTaskPlansForBench, ownerTaskRows, renewStrategicAccounts } from './pages-owner.ts';
import { freePort, startDevServer } from '../scripts/dev-server.ts';
import { launchedEnv, writeTemporalProfile } from '../scripts/start-processes.ts';
import { createJourneyWorkers, WORKFLOWS_PATH } from '../worker/worker.ts';
import { customerTaskQueueOf } from '../worker/temporal-config.ts';
import { buildApi } from '../api/server.ts';
import { SUBMISSIONS_DIR } from '../api/pages/submission-queue.ts';
import { parseApiKeys } from '../api/auth.ts';
import { PlanRegistry } from '../api/registry.ts';
import { JOURNEYS_DIR, loadJourneyDir } from '../definitions/loader.ts';
import { loadPagesConfig } from '../definitions/pages.ts';
import { writeDemoJourneys } from '../scripts/demo/demo-journeys.ts';
import { daytimeZones } from '../scripts/demo/population.ts';
import { listOutbox } from '../activities/outbox.ts';
import { DEV_UNSUBSCRIBE_SECRET } from '../activities/email/unsubscribe-link.ts';
import {
  customerEventSignal,
  customerWorkflowId,
  journeyEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
} from '../workflows/contract/index.ts';
import { fetchPrometheusSamples } from '../scripts/prometheus-text.ts';

const N = Math.max(10, Math.min(5000, Number(process.argv[2] ?? process.env.BENCH_PAGES_N ?? 200) || 200));
const ADVOCATES = Math.max(2, Math.min(200, Number(process.argv[3] ?? process.env.BENCH_PAGES_ADVOCATES ?? 60) || 60));
const OWNERS = Math.max(2, Math.min(200, Number(process.argv[4] ?? process.env.BENCH_PAGES_OWNERS ?? 20) || 20));
/** Mean time between two submissions in the paced rows (Poisson arrivals). */
const GAP_MS = Math.max(50, Number(process.env.BENCH_PAGES_GAP_MS ?? 1000) || 1000);
const PACED_SEED = 19;
const cliPath = process.env.TEMPORAL_CLI_PATH;
if (!cliPath) {
  console.error('TEMPORAL_CLI_PATH is not set: run  eval "$(bash scripts/obtain-temporal.sh cli)"  first');
  process.exit(2);
}

async function ok(res: Response, status = 200): Promise<string> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${res.url} answered ${res.status}, expected ${status}: ${text.slice(0, 300)}`);
  return text;
}

Runtime.install({ logger: new DefaultLogger('ERROR') });
const WORKER_MODE = process.env.BENCH_PAGES_WORKER === 'inline' ? 'inline' : 'process';

/** One of the engine's processes (worker/main.ts, api/main.ts) on the bench's server, task queue and data folder. */
function spawnOwn(
  script: string,
  server: { address: string; namespace: string },
  taskQueue: string,
  env: Record<string, string>,
  stdout: 'pipe' | 'ignore',
) {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: new URL('..', import.meta.url).pathname,
    // The bench's server only, never the caller's Temporal profile (launchedEnv).
    env: launchedEnv(process.env, {
      ...writeTemporalProfile(join(dataDir, 'temporal.toml'), { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace }),
      JOURNEY_TASK_QUEUE: taskQueue,
      JOURNEY_DATA_DIR: dataDir,
      ...env,
    }),
    stdio: ['ignore', stdout, 'inherit'],
  });
}

/** The worker, polling taskQueue until the returned stop is called: its own process unless BENCH_PAGES_WORKER=inline. */
async function startWorker(
  server: { address: string; namespace: string },
  taskQueue: string,
  publicUrl: string,
): Promise<() => Promise<unknown>> {
  if (WORKER_MODE === 'process') {
    const child = spawnOwn('worker/main.ts', server, taskQueue, { JOURNEY_PUBLIC_URL: publicUrl, JOURNEY_LOG_LEVEL: 'error' }, 'pipe');
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the worker exited (${code}) before polling`)));
      child.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('polling task queue') && resolve());
    });
    child.stdout!.resume();
    return () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
  }
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const activityConnection = await Connection.connect({ address: server.address });
  // As worker/main.ts: customer:<id> on the customers' queue the API process starts it on.
  const worker = await createJourneyWorkers({
    connection: workerConnection,
    namespace: server.namespace,
    taskQueue,
    customerTaskQueue: customerTaskQueueOf(taskQueue),
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
    activityDeps: {
      dataDir,
      rewardWebhook: null,
      customers: { client: new Client({ connection: activityConnection, namespace: server.namespace }), taskQueue },
      email: { dataDir, unsubscribe: { publicUrl, secret: DEV_UNSUBSCRIBE_SECRET, mailbox: 'u@acme.example' } },
    },
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await activityConnection.close();
    await workerConnection.close();
  };
}
const API_MODE = process.env.BENCH_PAGES_API === 'inline' ? 'inline' : 'process';

/** The API as `npm start` runs it (api/main.ts, its own process: its event loop is not the load generator's, nor the
 *  raw baselines' client's), on the journeys folder and pages file given; answers once /healthz does. */
async function startApiProcess(
  server: { address: string; namespace: string },
  taskQueue: string,
  journeysDir: string,
  pagesFile: string,
): Promise<{ base: string; stop: () => Promise<unknown> }> {
  const port = await freePort();
  const child = spawnOwn(
    'api/main.ts',
    server,
    taskQueue,
    {
      JOURNEY_API_PORT: String(port),
      JOURNEY_API_KEYS: 'bench-key',
      JOURNEY_DEV_MODE: '1',
      JOURNEY_JOURNEYS_DIR: journeysDir,
      JOURNEY_PAGES: pagesFile,
    },
    'ignore',
  );
  const base = `http://127.0.0.1:${port}`;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (const deadline = Date.now() + 60_000; ;) {
    if (exited !== undefined) throw new Error(`the API exited (${exited}) before serving`);
    if (Date.now() > deadline) throw new Error('the API did not answer /healthz within 60 s');
    const up = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        if (exited !== undefined) return resolve(undefined);
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;
const tag = randomUUID().slice(0, 8);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-pages-'));
const stops: Array<() => Promise<unknown>> = [];
const rows: Row[] = [];
try {
  console.log(
    `pages benchmark: N=${N} requests per row, ${ADVOCATES} advocates, ${OWNERS} owner tasks, paced rows ${GAP_MS} ms apart on average; load average ${loadavg()[0].toFixed(2)}; starting a dev server, a worker (${WORKER_MODE === 'process' ? 'its own process' : 'in this process'}), the API (${API_MODE === 'process' ? 'its own process' : 'in this process'})...`,
  );
  const server = await startDevServer({ cliPath, port: await freePort(), uiPort: await freePort() });
  stops.unshift(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  stops.unshift(() => connection.close());
  const client = new Client({ connection, namespace: server.namespace });

  const journeysDir = mkdtempSync(join(tmpdir(), 'bench-pages-journeys-'));
  writeDemoJourneys(JOURNEYS_DIR, journeysDir, { daySeconds: 2 });
  const registry = new PlanRegistry(async () => {
    const loaded = await loadJourneyDir(journeysDir);
    ownerTaskPlansForBench(loaded.plans);
    return loaded;
  });
  if (!(await registry.reload()).applied) throw new Error('the demo journeys do not compile');
  const pages = loadPagesConfig();
  // The bench posts many forms from one address: limits out of the way (they are tested, not measured).
  pages.referralPage.rateLimits = { perIp: { max: 100_000, window: 'PT1H' }, perCode: { max: 100_000, window: 'PT1H' } };
  pages.ownerTaskPage = { rateLimits: { perIp: { max: 100_000, window: 'PT1H' }, perToken: { max: 100_000, window: 'PT1H' } } };
  const taskQueue = `bench-pages-${tag}`;
  let base: string;
  if (API_MODE === 'process') {
    ownerTaskFilesForBench(journeysDir);
    const pagesFile = join(dataDir, 'bench-pages.json');
    writeFileSync(pagesFile, JSON.stringify(pages));
    const api = await startApiProcess(server, taskQueue, journeysDir, pagesFile);
    base = api.base;
    stops.unshift(api.stop);
  } else {
    const api = await buildApi({ client, taskQueue, apiKeys: parseApiKeys('bench-key'), registry, dataDir, pages });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
    stops.unshift(() => api.close());
  }
  stops.unshift(await startWorker(server, taskQueue, base));
  // Advocates: promoters (in a zone where it is daytime, so quiet hours hold nothing) whose first ask (with both links) is in the outbox.
  const ids = Array.from({ length: ADVOCATES }, (_, i) => `bench-adv-${tag}-${i}`);
  for (const id of ids) {
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        id: `nps-${id}`,
        type: 'nps.submitted',
        customerId: id,
        occurredAt: new Date().toISOString(),
        data: { score: 10 },
        traits: {
          email: `${id}@globex.example`,
          firstName: 'Ada',
          lastName: 'Lovelace',
          segment: 'mid-market',
          healthScore: 90,
          timezone: daytimeZones()[0],
        },
      }),
    });
    await ok(res, 202);
  }
  const owners = Array.from({ length: OWNERS }, (_, i) => `bench-acct-${tag}-${i}`);
  await renewStrategicAccounts(base, owners, (res) => ok(res, 202));
  const links = new Map<string, { r: string; a: string }>();
  const deadline = Date.now() + 120_000;
  while (links.size < ADVOCATES && Date.now() < deadline) {
    for (const m of await listOutbox(dataDir)) {
      const html = (m.message as { HtmlBody?: string }).HtmlBody ?? '';
      const id = ids.find((x) => m.to === `${x}@globex.example`);
      const r = /href="([^"]+\/r\/[^"]+)"/.exec(html)?.[1];
      const a = /href="([^"]+\/a\/[^"]+)"/.exec(html)?.[1];
      if (id && r && a) links.set(id, { r, a });
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  if (links.size < ADVOCATES) throw new Error(`only ${links.size} of ${ADVOCATES} asks reached the outbox in 2 minutes`);
  const all = [...links.values()];
  const ownerLinks = await ownerTaskLinks(dataDir, owners);
  console.log(`${ADVOCATES} advocates asked, ${OWNERS} owner tasks sent; measuring...`);

  // The raw static baseline serves the referral page's own bytes.
  const pageBytes = await ok(await fetch(all[0].r));
  const raw = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageBytes));
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  stops.unshift(() => new Promise((r) => raw.close(r)));
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`;
  for (let i = 0; i < 50; i++) await ok(await fetch(rawUrl)); // warm both
  for (let i = 0; i < 50; i++) await ok(await fetch(all[i % all.length].r));
  await new Promise((r) => setTimeout(r, 16_000)); // every lookup cache entry expired: the cold row queries

  rows.push({ name: 'raw static (node:http)', ...(await timed(N, async () => void (await ok(await fetch(rawUrl))))) });
  rows.push({
    name: 'ours GET /r/<code> cold (query)',
    ...(await timed(ADVOCATES, async (i) => void (await ok(await fetch(all[i].r))))),
    baseline: 'raw static (node:http)',
  });
  rows.push({
    name: 'ours GET /r/<code> warm',
    ...(await timed(N, async (i) => void (await ok(await fetch(all[i % all.length].r))))),
    baseline: 'raw static (node:http)',
  });
  rows.push({
    name: 'raw query journeyState',
    ...(await timed(
      N,
      async (i) =>
        void (await client.workflow.getHandle(journeyWorkflowId('nps-promoter-referral', ids[i % ids.length])).query(journeyStateQuery)),
    )),
  });
  rows.push({
    name: 'ours GET /a/<token>',
    ...(await timed(N, async (i) => void (await ok(await fetch(all[i % all.length].a))))),
    baseline: 'raw query journeyState',
  });
  rows.push(...(await ownerTaskRows({ client, ids: owners, links: ownerLinks, n: N, ok })));

  // The raw counterpart of what ingest does for a referral: signal the advocate's journey run and their customer
  // workflow, both open, at once (an event type the run refuses and notes, so the runs are not changed by it).
  rows.push({
    name: 'raw 2 signals (run + customer)',
    ...(await timed(ADVOCATES, async (i) => {
      const id = ids[i % ids.length];
      const ev = {
        id: `raw-${tag}-${i}`,
        type: 'referral.link_shared',
        customerId: id,
        occurredAt: new Date().toISOString(),
        data: { referralCode: 'x' },
      };
      await Promise.all([
        client.workflow.getHandle(journeyWorkflowId('nps-promoter-referral', id)).signal(journeyEventSignal, ev),
        client.workflow.getHandle(customerWorkflowId(id)).signal(customerEventSignal, ev),
      ]);
    })),
  });
  // The same two signals carrying a real referral (the code's advocate, a friend of their own): the run and the
  // customer workflow then do what a submission sets off (CRM record, tracking, reward claimed and held: six
  // activities and two updates), and the next request meets that work at the server, as the POST row's requests do.
  // This is the POST's fair baseline: Temporal's cost of taking a referral, without the API.
  const rawReferral = (round: string) => async (i: number) => {
    const id = ids[i % ids.length];
    const code = decodeURIComponent(new URL(all[i % all.length].r).pathname.split('/').pop()!);
    const ev = {
      id: `raw-referral-${round}-${tag}-${i}`,
      type: 'referral.submitted',
      customerId: id,
      occurredAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      data: {
        referralId: `rf_raw_${round}_${tag}_${i}`,
        referralCode: code,
        referredEmail: `raw-friend-${round}-${i}@initech.example`,
        referredName: 'Raw Friend',
        consent: true,
      },
    };
    await Promise.all([
      client.workflow.getHandle(journeyWorkflowId('nps-promoter-referral', id)).signal(journeyEventSignal, ev),
      client.workflow.getHandle(customerWorkflowId(id)).signal(customerEventSignal, ev),
    ]);
  };
  rows.push({ name: 'raw 2 signals, a real referral', ...(await timed(ADVOCATES, rawReferral('b2b'))), arrivals: 'back to back' });
  await new Promise((r) => setTimeout(r, 5_000)); // the raw referrals' work done before the POST row starts
  // Forms: one per advocate (a referral sets their run to work: a reward decided, held, tracked; many referrals to
  // one run in a burst would measure that run's queue, not the page). Each POST needs its own GET first (the CSRF
  // cookie and field; it also fills the 15 s lookup cache, as a visitor's GET before their POST does); only the POST
  // is timed.
  const makeForms = async (round: string) => {
    const forms: Array<{ url: string; cookie: string; body: string }> = [];
    for (let i = 0; i < ADVOCATES; i++) {
      const url = all[i % all.length].r;
      const res = await fetch(url);
      const html = await ok(res);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1];
      const body = new URLSearchParams({
        csrf,
        name: 'Grace Hopper',
        email: `friend-${round}-${i}@initech.example`,
        company: 'Initech',
        role: 'CTO',
        context: 'Q1',
        consent: 'yes',
      });
      forms.push({ url, cookie, body: body.toString() });
    }
    return forms;
  };
  /** Each POST's Server-Timing header, and beside it the milliseconds the client measured (to tell the API's own time
   *  from the time spent outside it: the connection, the client's event loop). */
  const clientMs = new Map<string[], number[]>();
  const postForm = (forms: Awaited<ReturnType<typeof makeForms>>, split: string[]) => async (i: number) => {
    const f = forms[i];
    const t0 = performance.now();
    const res = await fetch(f.url, {
      method: 'POST',
      headers: { cookie: f.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: f.body,
    });
    await ok(res);
    split.push(res.headers.get('server-timing') ?? '');
    clientMs.set(split, [...(clientMs.get(split) ?? []), performance.now() - t0]);
  };
  /** The API process's event-loop delay since the last scrape (prom-client resets its histogram on each collect). */
  const apiLoopLag = async () => {
    const samples = await fetchPrometheusSamples(`${base}/metrics`);
    const read = (name: string) => (samples.find((x) => x.name === name)?.value ?? NaN) * 1000;
    return { p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
  };
  const split: string[] = [];
  const b2bForms = await makeForms('b2b');
  // How long this process's event loop was held while the POST row ran (the API answers on it).
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  rows.push({
    name: 'ours POST /r/<code> (ingest)',
    ...(await timed(ADVOCATES, postForm(b2bForms, split))),
    baseline: 'raw 2 signals, a real referral',
    arrivals: 'back to back',
  });
  loopDelay.disable();

  // Paced: the same two paths with submissions arriving as one Poisson process, alternating raw and ours (each path
  // a request every GAP_MS on average), so both meet the same server and worker at the same moments: run as two rows
  // one after the other, the second met the work the first left behind. The forms are fetched before the arrivals
  // start, so a form is as old at its POST as its arrival time (0 to a few minutes): a visitor reads and fills it in
  // first, and most POSTs find the 15 s lookup cache expired.
  const paced = `Poisson arrivals, mean ${GAP_MS} ms apart, raw and ours alternating`;
  await new Promise((r) => setTimeout(r, 5_000));
  const pacedSplit: string[] = [];
  const pacedForms = await makeForms('paced');
  await apiLoopLag();
  const [rawPaced, oursPaced] = await timedPacedPair(ADVOCATES, GAP_MS, PACED_SEED, rawReferral('paced'), postForm(pacedForms, pacedSplit));
  rows.push({ name: 'raw 2 signals, a real referral, paced', ...rawPaced, arrivals: paced });
  rows.push({ name: 'ours POST /r/<code>, paced', ...oursPaced, baseline: 'raw 2 signals, a real referral, paced', arrivals: paced });
  const pacedApiLag = await apiLoopLag();

  printRows(rows);
  // Where the POST's time goes (its Server-Timing header): the code lookup (cached), the check (describe) and ingest.
  const part = (from: string[], name: string) =>
    from
      .map((h) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(h)?.[1] ?? NaN))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
  for (const [label, from] of [
    ['back to back', split],
    ['paced', pacedSplit],
  ] as const) {
    const [lookup, check, ingest] = [part(from, 'lookup'), part(from, 'check'), part(from, 'ingest')];
    console.log(
      `POST split ${label} (server-timing): lookup p50 ${pct(lookup, 0.5)?.toFixed(1)} ms p95 ${pct(lookup, 0.95)?.toFixed(1)} ms; check (describe) p50 ${pct(check, 0.5)?.toFixed(1)} ms p95 ${pct(check, 0.95)?.toFixed(1)} ms; ingest p50 ${pct(ingest, 0.5)?.toFixed(1)} ms p95 ${pct(ingest, 0.95)?.toFixed(1)} ms`,
    );
  }
  // The slow ones, each with the API's own time (app: Fastify's elapsed time when the page was sent) and its parts.
  for (const [label, from] of [
    ['back to back', split],
    ['paced', pacedSplit],
  ] as const) {
    const ms = clientMs.get(from) ?? [];
    const slow = from.map((h, i) => ({ h, ms: ms[i] })).filter((x) => x.ms > LIMIT_MS);
    const app = slow.map((x) => Number(/app;dur=([\d.]+)/.exec(x.h)?.[1] ?? NaN)).filter(Number.isFinite);
    console.log(
      `POST over ${LIMIT_MS} ms ${label}: ${slow.length}; the API's own time in them: max ${app.length ? Math.max(...app).toFixed(1) : '-'} ms, ` +
        `${app.filter((a) => a > LIMIT_MS).length} of them over ${LIMIT_MS} ms inside the API`,
    );
    for (const x of slow.slice(0, 8)) console.log(`  client ${x.ms.toFixed(1)} ms  ${x.h}`);
  }
  console.log(
    Number.isFinite(pacedApiLag.max)
      ? `API process event-loop delay during the paced rows: p99 ${pacedApiLag.p99.toFixed(1)} ms, max ${pacedApiLag.max.toFixed(1)} ms`
      : 'API process event-loop delay: not collected (the API in this process has no default metrics)',
  );
  // Submissions the page answered past its wait (JOURNEY_REFERRAL_PAGE_WAIT_MS): sent on by the durable queue. Every
  // one must still reach Temporal: the queue's folder empties once ingest has answered each.
  const pastWait = (from: string[]) => from.filter((h) => /ingest;dur=\d+\+/.test(h)).length;
  const queueDir = join(dataDir, SUBMISSIONS_DIR);
  const drainStart = performance.now();
  while (readdirSync(queueDir).length > 0 && performance.now() - drainStart < 120_000) await new Promise((r) => setTimeout(r, 250));
  const left = readdirSync(queueDir).length;
  console.log(
    `POST answered past the wait (the queue sent them on): back to back ${pastWait(split)} of ${split.length}, paced ${pastWait(pacedSplit)} of ${pacedSplit.length}; ` +
      (left === 0
        ? `every submission taken by Temporal ${((performance.now() - drainStart) / 1000).toFixed(1)} s after the last POST (queue empty)`
        : `NOT DELIVERED: ${left} submissions still queued after 120 s`),
  );
  const post = rows.find((r) => r.name.startsWith('ours POST /r'))!;
  const refused = rows.find((r) => r.name === 'raw 2 signals (run + customer)')!;
  console.log(
    `POST vs raw 2 signals of a refused event (no work follows): ${(pct(post.latencies, 0.5) / pct(refused.latencies, 0.5)).toFixed(2)}x p50; ` +
      `${API_MODE === 'process' ? 'bench (client) event-loop delay, the API in its own process' : 'API event-loop delay'} during the POST row: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms (worker: ${WORKER_MODE === 'process' ? 'its own process' : 'this process'}); load average now ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
} finally {
  for (const stop of stops) await stop().catch((err) => console.error(`while stopping: ${(err as Error).message}`));
  rmSync(dataDir, { recursive: true, force: true });
}
