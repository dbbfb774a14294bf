// A fresh run's read of the customer's facts (journey/start-facts.ts) is a query to customer:<id>, which Temporal
// answers only once that workflow has taken its pending task; behind a backlog that takes minutes (bench/scale.ts
// 100000: the shared queue's oldest task was 9 minutes old). Read by a local activity, the wait held the run's workflow
// task open: heartbeated every 8 s, holding a task slot and a cache slot, and dropped when the SDK evicted the run
// from a full cache mid-task, so the task timed out and waited in the backlog again (1,390 such timeouts in the first
// 14 minutes of that run). Now (patch journey-start-facts-read-by-activity) the local activity gets one attempt of
// 2 s, and past that a regular activity waits while the run's task completes. Here the backlog is a customer:<id>
// whose task queue nobody polls.
// Real dev server, real time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerEventSignal, customerStateQuery, customerWorkflowId, journeyWorkflowId } from '../workflows/contract/index.ts';
import { routeEvent, startCustomerWorkflow } from '../api/routing.ts';
import { loadJourneyDir } from '../definitions/loader.ts';
import type { CompiledPlan } from '../definitions/plan.ts';
import { connectDevServer, terminateRunsOn, type DevServerClients } from './support/temporal.ts';
import { createHarness, event } from './interpreter/harness.ts';

const NPS = 'nps-promoter-referral';
const traits = { email: 'robin@example.com', firstName: 'Robin', timezone: 'America/New_York', healthScore: 90, segment: 'smb' };

describe("a run's start-facts read while customer:<id> waits in a backlog (dev server)", () => {
  let temporal: DevServerClients;
  let plans: CompiledPlan[];
  const queues: string[] = [];
  beforeAll(async () => {
    temporal = await connectDevServer();
    plans = (await loadJourneyDir()).plans;
  });
  afterAll(async () => {
    if (temporal) await terminateRunsOn(temporal.client, ...queues);
    await temporal?.close();
  });

  it("does not hold the run's workflow task open while customer:<id> has not answered", async () => {
    const { client, workerConnection } = temporal;
    const customer = `facts-backlog-${Date.now().toString(36)}`;
    // customer:<id> takes its first task on a worker that then stops: its next task waits with nobody to take it.
    const elsewhere = await createHarness(workerConnection, { client });
    queues.push(elsewhere.taskQueue);
    await startCustomerWorkflow(client, elsewhere.taskQueue, customer, customerEventSignal, [
      event('milestone.reached', customer, { milestone: 'go-live' }, { traits }),
    ]);
    await elsewhere.worker.runUntil(client.workflow.getHandle(customerWorkflowId(customer)).query(customerStateQuery));

    // A promoter answer: customer:<id> is signalled (a task nobody polls for), and the NPS journey's run starts here,
    // not the customer's first event, so it reads the customer's facts.
    const h = await createHarness(workerConnection, { client });
    queues.push(h.taskQueue);
    const run = client.workflow.getHandle(journeyWorkflowId(NPS, customer));
    const history = await h.worker.runUntil(async () => {
      const routed = await routeEvent(client, h.taskQueue, event('nps.submitted', customer, { score: 10 }, { traits }), plans);
      expect(routed.customer.outcome).toBe('signalled');
      expect(routed.journeys.find((j) => j.journeyId === NPS)?.outcome).toBe('started');
      // The local activity's task was heartbeated after 8 s: wait past that.
      await new Promise((r) => setTimeout(r, 10_000));
      return historyOf(run);
    });
    // The first task gave up on the quick read after 2 s and completed, scheduling the patient read; no task since
    // (the read still waits).
    expect(history.map((e) => e.type)).toContain('ACTIVITY_TASK_SCHEDULED');
    expect(history.filter((e) => e.type === 'WORKFLOW_TASK_COMPLETED')).toHaveLength(1);
    const started = history.find((e) => e.type === 'WORKFLOW_TASK_STARTED')!;
    const completed = history.find((e) => e.type === 'WORKFLOW_TASK_COMPLETED')!;
    expect(completed.at - started.at).toBeLessThan(5_000);
    expect(history.map((e) => e.type)).not.toContain('WORKFLOW_TASK_TIMED_OUT');
  }, 60_000);
});

async function historyOf(handle: {
  fetchHistory(): Promise<{ events?: { eventType?: unknown; eventTime?: { seconds?: unknown; nanos?: unknown } | null }[] | null }>;
}): Promise<{ type: string; at: number }[]> {
  const { EventType } = (await import('@temporalio/proto')).temporal.api.enums.v1;
  return ((await handle.fetchHistory()).events ?? []).map((e) => ({
    type: String(EventType[e.eventType as number]).replace('EVENT_TYPE_', ''),
    at: Number(e.eventTime?.seconds ?? 0) * 1000 + Number(e.eventTime?.nanos ?? 0) / 1e6,
  }));
}
