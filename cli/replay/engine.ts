// Replays recorded events through the real engine: the worker's workflows (interpreter, customer workflow) and
// its real activities (email → outbox, rewards → ledger, tracking → NDJSON log) in `dataDir`, on time-skipping
// test servers. One feeder workflow per customer delivers that customer's events at their times (workflows.ts),
// so the client makes one long `sleep` per server and the server skips from one due timer to the next; customers are
// split over `shards` servers, each with its own worker in this process, which run side by side. What happened is
// read from the tracking log and the outbox while every run still lives (facts are written when they happen).
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/index.ts';
import { listOutbox } from '../../activities/outbox.ts';
import { readTrackingLog } from '../../activities/tracking/ndjson-log.ts';
import { DEV_REFERRAL_CODE_SECRET } from '../../api/referral-code.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { createTimeSkippingEnv } from '../../scripts/time-skipping-env.ts';
import type { CustomerProfileDefaults, JourneyEvent, TrackingRecord } from '../../workflows/contract/index.ts';
import { replayBundle } from './bundle.ts';
import { createDeliverActivity } from './deliver.ts';
import { fastStartingTestServer } from './test-server-cds.ts';
import { firstEventMs, simulatedProgress } from './progress.ts';
import { RECORDED_EVENT_FEEDER } from './workflows.ts';
import { stopWorkflowStackTraces } from './workflow-stack-traces.ts';
import { dropPerCallDeadlockTimer, watchMainThread } from './deadlock-watch.ts';

/** How long the replay's thread may go without turning before the replay stops (deadlock-watch.ts). */
const DEADLOCK_LIMIT_MS = 60_000;

export interface SentMessage {
  sendKey: string;
  to: string;
  template?: string;
  subject?: string;
}

/** What to replay, decided once the servers' clock is known (a test server's clock starts at the wall clock). */
export interface ReplayPlan {
  /** Each customer's events, occurredAt in server time, in delivery order. */
  customers: Map<string, JourneyEvent[]>;
  /** Run every server's clock to this instant (server time). */
  untilMs: number;
}

export interface ReplayOptions {
  plans: CompiledPlan[];
  dataDir: string;
  testServerPath: string;
  /** The customer workflow's start input (contact policy, score weights), as the worker and the API load it. */
  customerDefaults?: CustomerProfileDefaults;
  /** How many test servers (each with its own worker) share the customers; default 1. */
  shards?: number;
  /** Called with the fraction of simulated time done, about twice a second. */
  onProgress?(fraction: number): void;
  log?(line: string): void;
  /** Called for each server once its clock reached the end, while every run still lives (e.g. to query a run). */
  atEnd?(env: TestWorkflowEnvironment): Promise<void>;
}

export interface ReplayResult {
  records: TrackingRecord[];
  sent: SentMessage[];
  /** Server time the replay's clock started at. */
  startedAtMs: number;
}

export function quietWorkerLogs() {
  // The worker's INFO lines would mix with the report on stdout; keep warnings, on stderr. The Rust core prints its
  // own logs to stdout unless they are forwarded to this logger, hence `forward`.
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => process.stderr.write(`${entry.message}\n`)),
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
    });
  } catch {
    /* already installed */
  }
}

/**
 * The replay's workflows run on this thread, not on a workflow thread of each worker: that is all the SDK's
 * `debugMode` changes besides lifting the deadlock limit, which is set back to the SDK's usual 5 s here (and then
 * dropped for one watch of the thread once the workers exist: deadlock-watch.ts). A workflow
 * thread loads the SDK's modules again (about 1 s of CPU, as long as a 90-day simulation's days) and every activation
 * crosses threads. Measured alternating in one process at load 6-15: simulate's 90 days 5.3-7.5 s against 8.2-11.2 s;
 * a backtest of 100 customers × 90 days on one server 57.7 s against 83.9 s wall (node CPU 28.3 s against 32.7 s).
 * With several servers too, once the SDK's per-promise stack traces are off (workflow-stack-traces.ts): 300 customers
 * on 2 servers took 130 s of CPU (node and servers) on this thread against 153 s with a workflow thread per worker,
 * the same wall time (127 s, load 5-7), the same outcomes.
 */
const WORKFLOWS_ON_THIS_THREAD = { debugMode: true, isolateExecutionTimeout: '5s' } as const;

async function startFeeders(env: TestWorkflowEnvironment, taskQueue: string, customers: [string, JourneyEvent[]][]) {
  let next = 0;
  const lane = async () => {
    while (next < customers.length) {
      const [customerId, events] = customers[next++];
      await env.client.workflow.start(RECORDED_EVENT_FEEDER, { workflowId: `replay-feed:${customerId}`, taskQueue, args: [{ events }] });
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}

export async function replay(opts: ReplayOptions, decide: (serverNowMs: number) => ReplayPlan): Promise<ReplayResult> {
  quietWorkerLogs();
  const log = opts.log ?? (() => {});
  const shards = Math.max(1, opts.shards ?? 1);
  log(`starting ${shards} time-skipping test server${shards > 1 ? 's' : ''} and bundling the workflows`);
  // The servers start one after another: several JVMs starting at once on a small, busy machine miss the SDK's
  // start-up deadline. The bundle (cached) loads meanwhile.
  const startServers = async () => {
    const out: PromiseSettledResult<TestWorkflowEnvironment>[] = [];
    const serverPath = await fastStartingTestServer(opts.testServerPath);
    for (let i = 0; i < shards; i++) {
      out.push(
        await createTimeSkippingEnv(serverPath, { searchAttributes: true }).then(
          (value) => ({ status: 'fulfilled' as const, value }),
          (reason: unknown) => ({ status: 'rejected' as const, reason }),
        ),
      );
      if (out[i].status === 'rejected') break;
    }
    return out;
  };
  const [bundleResult, serverResults] = await Promise.all([
    replayBundle().then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    ),
    startServers(),
  ]);
  const started: PromiseSettledResult<unknown>[] = [bundleResult, ...serverResults];
  const servers = started.slice(1).flatMap((s) => (s.status === 'fulfilled' ? [s.value as TestWorkflowEnvironment] : []));
  let restoreStackTraces = () => {};
  let stopWatch = () => {};
  const teardown = () => {
    restoreStackTraces();
    stopWatch();
    return Promise.all(servers.map((env) => env.teardown()));
  };
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const { code } = (started[0] as PromiseFulfilledResult<{ code: string }>).value;
    const nows = await Promise.all(servers.map((env) => env.currentTimeMs()));
    const startedAtMs = Math.max(...nows);
    const { customers, untilMs } = decide(startedAtMs);
    const all = [...customers.entries()];
    const taskQueue = 'replay';
    const shardOf = (i: number) => all.filter((_, n) => n % servers.length === i);
    // The feeders start while the workers are created: nothing runs before a worker polls, and no server skips
    // time before its env.sleep below, so this only overlaps two waits (about a second for a single customer).
    const feedersStarted = Promise.all(servers.map((env, i) => startFeeders(env, taskQueue, shardOf(i))));
    const workersCreated = Promise.all(
      servers.map((env) =>
        Worker.create({
          connection: env.nativeConnection,
          namespace: 'default',
          taskQueue,
          workflowBundle: { code },
          ...WORKFLOWS_ON_THIS_THREAD,
          activities: {
            ...createActivities({
              dataDir: opts.dataDir,
              rewardWebhook: null,
              customers: { client: env.client, taskQueue, profileDefaults: opts.customerDefaults },
            }),
            ...createDeliverActivity({
              client: env.client,
              taskQueue,
              plans: opts.plans,
              dataDir: opts.dataDir,
              customerDefaults: opts.customerDefaults,
              referralCodeSecret: process.env.JOURNEY_REFERRAL_CODE_SECRET ?? DEV_REFERRAL_CODE_SECRET,
            }),
          },
        }),
      ),
    );
    const [workers] = await Promise.all([workersCreated, feedersStarted]);
    const stackTraces = stopWorkflowStackTraces();
    if (!stackTraces.stopped) log("the SDK's per-promise stack traces stay on (its internals changed): the replay runs slower");
    restoreStackTraces = stackTraces.restore;
    // The SDK's per-call deadlock timer gives way to one watch of this thread (deadlock-watch.ts).
    if (workers.map(dropPerCallDeadlockTimer).includes(false))
      log("the SDK's per-call deadlock timer stays on (its internals changed): the replay runs slower");
    stopWatch = watchMainThread(
      DEADLOCK_LIMIT_MS,
      `replay stopped: a workflow ran ${DEADLOCK_LIMIT_MS / 1000} s without yielding (a loop in workflow code?); nothing after this point was replayed`,
    );
    const progress = new Array<number>(servers.length).fill(0);
    const historyStartMs = firstEventMs(customers);
    const runShard = async (i: number) => {
      const env = servers[i];
      await workers[i].runUntil(async () => {
        const from = await env.currentTimeMs();
        const ticker = setInterval(() => {
          env.currentTimeMs().then(
            (now) => {
              progress[i] = simulatedProgress(now, { startMs: Math.max(from, historyStartMs ?? from), untilMs });
              opts.onProgress?.(progress.reduce((a, b) => a + b, 0) / progress.length);
            },
            () => {},
          );
        }, 500);
        try {
          if (untilMs > from) await env.sleep(untilMs - from);
        } finally {
          clearInterval(ticker);
        }
        await opts.atEnd?.(env);
      });
      progress[i] = 1;
    };
    log(`replaying ${all.length} customer${all.length === 1 ? '' : 's'}`);
    // Workers run until their shard's clock reaches the end; the runs are left as they are (never ended), and the
    // servers stop with them once the logs are read.
    await Promise.all(servers.map((_, i) => runShard(i)));
    opts.onProgress?.(1);
    const { records } = await readTrackingLog(opts.dataDir);
    const sent = (await listOutbox(opts.dataDir)).map((m) => ({
      sendKey: m.sendKey,
      to: m.to,
      template: m.templateAlias,
      subject: m.subject,
    }));
    return { records, sent, startedAtMs };
  } finally {
    await teardown();
  }
}
