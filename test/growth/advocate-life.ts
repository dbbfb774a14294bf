// Ten simulated years of one active advocate on the time-skipping test server, with the real activities (contact
// slots, reward ledger, tracking, email outbox): every quarter an NPS 10, and once asked, two referrals whose deals
// close won; a passive answer and a support escalation (opened and resolved) in between. Each event goes where the
// API sends it: the journey run and the customer's own workflow. At the end of each year it reads, while the runs
// live, the current run's history length and the bytes each workflow carried over its last continue-as-new (the
// input payload of the new run: exactly what Temporal's 2 MB payload limit applies to). Used by bench/growth.ts and
// test/growth.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/index.ts';
import { loadJourneyDir } from '../../definitions/loader.ts';
import { WORKFLOWS_PATH } from '../../worker/worker.ts';
import { signalWithStartOnTestServer } from '../../scripts/time-skipping-env.ts';
import {
  CUSTOMER_WORKFLOW_TYPE,
  JOURNEY_WORKFLOW_TYPE,
  customerEventSignal,
  customerStartOptions,
  journeyEventSignal,
  journeyWorkflowId,
  type JourneyEvent,
  type JourneyRunInput,
} from '../../workflows/contract/index.ts';

const DAY = 86_400_000;
export const GROWTH_JOURNEY = 'nps-promoter-referral';

export interface YearFigures {
  year: number;
  /** Journey run: events in the current run's history, runs so far (continue-as-new links), bytes carried last. */
  journeyHistory: number;
  journeyRuns: number;
  journeyCarriedBytes: number;
  customerHistory: number;
  customerRuns: number;
  customerCarriedBytes: number;
  journeyLargest: string;
  customerLargest: string;
  /** Events the advocate sent so far, and the rewards in the customer's ledger. */
  events: number;
}

interface RunFigures {
  history: number;
  runs: number;
  carriedBytes: number;
  /** The largest parts of the input, e.g. `plan 20.1K, carried.rewards 9.8K`. */
  largest: string;
}

/** The biggest top-level parts of a run input (and of its `carried` state), by JSON bytes. */
function largestParts(input: Record<string, unknown>): string {
  const parts: [string, number][] = [];
  for (const [k, v] of Object.entries(input)) {
    if (k === 'carried' && v && typeof v === 'object') {
      for (const [ck, cv] of Object.entries(v)) parts.push([`carried.${ck}`, JSON.stringify(cv ?? null).length]);
    } else parts.push([k, JSON.stringify(v ?? null).length]);
  }
  return parts
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, n]) => `${k} ${(n / 1024).toFixed(1)}K`)
    .join(', ');
}

/** The current run's history length, how many runs the chain has (walked back through continuedExecutionRunId, the
 *  test server has no visibility queries) and the input bytes of the current run: what the last continue-as-new carried. */
async function chainFigures(client: Client, workflowId: string): Promise<RunFigures> {
  const described = await client.workflow.getHandle(workflowId).describe();
  let runId: string | undefined = described.runId;
  let runs = 0;
  let carriedBytes = 0;
  let largest = '';
  while (runId) {
    runs++;
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const first = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (runs === 1) {
      for (const p of first?.input?.payloads ?? []) {
        carriedBytes += (p.data?.length ?? 0) + Object.values(p.metadata ?? {}).reduce((m: number, v) => m + (v as Uint8Array).length, 0);
        if (p.data) largest = largestParts(JSON.parse(Buffer.from(p.data).toString('utf8')) as Record<string, unknown>);
      }
    }
    runId = first?.continuedExecutionRunId || undefined;
  }
  return { history: described.historyLength, runs, carriedBytes, largest };
}

export async function simulateAdvocateLife(
  env: TestWorkflowEnvironment,
  opts: {
    years: number;
    /** History length at which both workflows hand over (continueAsNewAfter; production default 2,000): lower, so a
     *  decade holds many handovers and the carried bytes are read from real ones. */
    handoverAfter: number;
    workflowBundle?: WorkerOptions['workflowBundle'];
    onYear?: (f: YearFigures) => void;
  },
): Promise<YearFigures[]> {
  const { plans } = await loadJourneyDir();
  const plan = plans.find((p) => p.journeyId === GROWTH_JOURNEY)!;
  const taskQueue = `growth-${Date.now().toString(36)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'growth-'));
  const client = env.client;
  const customerId = 'ada-advocate';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({
      dataDir,
      rewardWebhook: null,
      customers: { client, taskQueue, profileDefaults: { continueAsNewAfter: opts.handoverAfter } },
    }),
  });
  const traits = { email: 'ada@customer.example', firstName: 'Ada', timezone: 'Europe/London', healthScore: 95, segment: 'mid-market' };
  const workflowId = journeyWorkflowId(plan.journeyId, customerId);
  let n = 0;
  const send = async (type: string, data: Record<string, unknown>, about = customerId) => {
    const event: JourneyEvent = {
      id: `life-${++n}`,
      type,
      customerId: about,
      occurredAt: new Date(await env.currentTimeMs()).toISOString(),
      data,
    };
    if (about === customerId) event.traits = traits;
    const input: JourneyRunInput = { plan, customerId, continueAsNewAfter: opts.handoverAfter };
    // Both chains hand over while events arrive: signalWithStartOnTestServer sends a call again that the test server
    // refused during a handover (scripts/time-skipping-env.ts); CI met it once here, on customer:<id>.
    await signalWithStartOnTestServer(client, undefined, JOURNEY_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      signal: journeyEventSignal,
      signalArgs: [event],
    });
    await signalWithStartOnTestServer(client, undefined, CUSTOMER_WORKFLOW_TYPE, {
      ...customerStartOptions(customerId, taskQueue, { continueAsNewAfter: opts.handoverAfter }),
      signal: customerEventSignal,
      signalArgs: [event],
    });
  };
  const figures: YearFigures[] = [];
  await worker.runUntil(async () => {
    for (let quarter = 0; quarter < opts.years * 4; quarter++) {
      const start = await env.currentTimeMs();
      await send('nps.submitted', { score: 10 });
      await env.sleep(6 * DAY); // the ask goes out after two days, in the next working hours
      for (let r = 1; r <= 2; r++) {
        const referralId = `q${quarter}-r${r}`;
        await send('referral.submitted', { referralId, referredEmail: `friend-${referralId}@elsewhere.example`, referredName: 'Friend' });
        await env.sleep(2 * DAY);
        await send('deal.closed_won', { referralId, referrerId: customerId, amount: 12_000, currency: 'USD' });
      }
      await env.sleep(20 * DAY);
      await send('escalation.opened', { escalationId: `esc-${quarter}`, severity: 'low' });
      await env.sleep(5 * DAY);
      await send('escalation.resolved', { escalationId: `esc-${quarter}` });
      await send('nps.submitted', { score: 8 });
      await env.sleep(Math.max(0, start + 91 * DAY - (await env.currentTimeMs())));
      if (quarter % 4 === 3) {
        const journey = await chainFigures(client, workflowId);
        const customer = await chainFigures(client, `customer:${customerId}`);
        const f: YearFigures = {
          year: (quarter + 1) / 4,
          journeyHistory: journey.history,
          journeyRuns: journey.runs,
          journeyCarriedBytes: journey.carriedBytes,
          customerHistory: customer.history,
          customerRuns: customer.runs,
          customerCarriedBytes: customer.carriedBytes,
          journeyLargest: journey.largest,
          customerLargest: customer.largest,
          events: n,
        };
        figures.push(f);
        opts.onYear?.(f);
      }
    }
  });
  return figures;
}
