// The scripted customer (and the driver loop) the journey benchmark uses through one cycle of nps-promoter-referral: a promoter's
// NPS 10 (delight), then, once asked, a referral that closes won. It mirrors test/interpreter/scenarios.ts, which
// a plain node process cannot import (its harness reads vitest's provided context).
import { journeyEventSignal, journeyStateQuery, type JourneyEvent } from '../workflows/contract/index.ts';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { baselineEventSignal, baselineStateQuery } from './baseline-workflows.ts';

/** The test environment's clock (scripts/time-skipping-env.ts: its connection keeps to the test server's ping policy). */
export type SkippingClock = Pick<TestWorkflowEnvironment, 'sleep' | 'currentTimeMs'>;

export const BENCH_JOURNEY = 'nps-promoter-referral';
export const DAY = 86_400_000;

const traits = {
  email: 'casey@customer.example',
  firstName: 'Casey',
  timezone: 'Europe/Berlin',
  healthScore: 92,
  ownerEmail: 'owner@acme.example',
  segment: 'mid-market',
};
const ev = (id: string, type: string, customerId: string, data: Record<string, unknown>, withTraits = false): JourneyEvent => ({
  id,
  type,
  customerId,
  occurredAt: '2026-01-01T00:00:00Z',
  data,
  ...(withTraits ? { traits } : {}),
});

export const delightEvent = (customerId: string) => ev(`bench-${customerId}-nps`, 'nps.submitted', customerId, { score: 10 }, true);

/** The person a customer refers: someone new each time, so the reward their ledger (customer:<friend>) keeps is this cycle's alone. */
export const referredFriend = (customerId: string) => `friend-of-${customerId}@elsewhere.example`;

/** The customer's answer to a referral ask: they refer a friend, and the friend's deal closes won. */
export function referralActions(customerId: string): JourneyEvent[] {
  const referralId = `ref-${customerId}`;
  return [
    ev(`bench-${customerId}-ref`, 'referral.submitted', customerId, {
      referralId,
      referredEmail: referredFriend(customerId),
      referredName: 'Friend',
    }),
    ev(`bench-${customerId}-won`, 'deal.closed_won', customerId, { referralId, referrerId: customerId, amount: 12000, currency: 'USD' }),
  ];
}

export interface DriveResult {
  status: string;
  driverCalls: number;
  simulatedDays: number;
  /** Loop turn on which the ask was answered. */ answeredAtTurn: number;
}

/**
 * As the lifecycle test drives a cycle: every two simulated days look at the run, answer its ask once, and let
 * time run on until the run leaves RUNNING (continue-as-new at the end of the cycle). Bounded to 200 turns (400 days).
 */
export async function driveOneCycle(
  clock: SkippingClock,
  run: WorkflowHandle,
  /** Called with each of the customer's answers before the run gets it (the bench hands it to customer:<id> as the API does). */
  beforeSignal: (event: JourneyEvent) => Promise<unknown> = async () => undefined,
): Promise<DriveResult> {
  let answeredAtTurn = -1;
  let driverCalls = 0;
  const start = await clock.currentTimeMs();
  for (let turn = 0; turn < 200; turn++) {
    driverCalls++;
    const d = await run.describe();
    if (d.status.name !== 'RUNNING') break;
    driverCalls++;
    const s = await run.query(journeyStateQuery);
    if (answeredAtTurn < 0 && s.motion === 'referral' && s.asks.length > 0) {
      answeredAtTurn = turn;
      for (const e of referralActions(run.workflowId.split(':').slice(2).join(':'))) {
        driverCalls++;
        await beforeSignal(e);
        await run.signal(journeyEventSignal, e);
      }
    }
    await clock.sleep(2 * DAY);
  }
  const status = (await run.describe()).status.name;
  return { status, driverCalls, answeredAtTurn, simulatedDays: Math.round(((await clock.currentTimeMs()) - start) / DAY) };
}

/**
 * The baseline driven the same way: every two simulated days a describe and a query, the same signals on the
 * same turn the journey run was answered, until the run completes. Keeps the driver's cost equal on both sides.
 */
export async function driveBaseline(
  clock: SkippingClock,
  run: WorkflowHandle,
  answerTurn: number,
  customerId: string,
): Promise<DriveResult> {
  let driverCalls = 0;
  const start = await clock.currentTimeMs();
  for (let turn = 0; turn < 200; turn++) {
    driverCalls++;
    if ((await run.describe()).status.name !== 'RUNNING') break;
    driverCalls++;
    await run.query(baselineStateQuery);
    if (turn === answerTurn) {
      for (const e of referralActions(customerId)) {
        driverCalls++;
        await run.signal(baselineEventSignal, e);
      }
    }
    await clock.sleep(2 * DAY);
  }
  const status = (await run.describe()).status.name;
  return { status, driverCalls, answeredAtTurn: answerTurn, simulatedDays: Math.round(((await clock.currentTimeMs()) - start) / DAY) };
}
