// The scenario of the SDK core's eviction fix (scripts/core-bridge/README.md), shared by its test
// (test/core-bridge-eviction.test.ts) and its reproduction (bench/start-facts-drops.ts): known customers (a passive NPS
// answer each starts customer:<id> and no journey run) answer NPS 10 at once, so each answer starts an
// nps-promoter-referral run whose first task reads the customer's facts with a local activity.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { mapWithConcurrency } from '../../api/ingest.ts';
import { journeyWorkflowId } from '../../workflows/contract/index.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** POST /v1/events of one NPS answer through the API in process; anything but 202 throws, with the answer. */
export function npsPoster(api: FastifyInstance, apiKey: string) {
  return async (customerId: string, score: number): Promise<void> => {
    const res = await api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: { id: `e-${randomUUID()}`, type: 'nps.submitted', customerId, occurredAt: new Date().toISOString(), data: { score } },
    });
    if (res.statusCode !== 202) throw new Error(`an answer of ${customerId} got ${res.statusCode}: ${res.body.slice(0, 300)}`);
  };
}

/** A passive answer each (C at a time), `settleMs` for their customer workflows to take them, then a promoter answer each. */
export async function promotersAnswerAsKnownCustomers(
  post: (customerId: string, score: number) => Promise<void>,
  customers: readonly string[],
  concurrency: number,
  settleMs = 0,
): Promise<void> {
  await mapWithConcurrency(customers, concurrency, (c) => post(c, 7));
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  await mapWithConcurrency(customers, concurrency, (c) => post(c, 10));
}

/** The history of each customer's nps-promoter-referral run, in the order of `customers`. */
export function promoterRunHistories(client: Client, customers: readonly string[]): Promise<HistoryEvent[][]> {
  return mapWithConcurrency(
    customers,
    8,
    async (c) => (await client.workflow.getHandle(journeyWorkflowId('nps-promoter-referral', c)).fetchHistory()).events ?? [],
  );
}

/** A workflow task of the run timed out: a worker took it and never answered in time. */
export const hadTimedOutTask = (events: readonly HistoryEvent[]) => events.some((e) => e.workflowTaskTimedOutEventAttributes);

/** The run read its customer's facts inside an answered task: the local activity's marker is in its history. */
export const readFactsInTask = (events: readonly HistoryEvent[]) =>
  events.some((e) => {
    const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
    return data ? Buffer.from(data).toString().includes('"readCustomerStartFacts"') : false;
  });
