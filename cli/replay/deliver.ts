// The replay's one way in for an event: the API's own ingest (api/ingest.ts) over the plans being replayed, so an
// event reaches the journeys, the customer's workflow and the tracking log (tracked catalog events) exactly as a
// POST /v1/events would. Events were checked against the catalog when the file was read (cli/replay/events-file.ts).
import type { Client } from '@temporalio/client';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { loadCatalog } from '../../definitions/loader.ts';
import { EventIngest } from '../../api/ingest.ts';
import { PlanRegistry } from '../../api/registry.ts';
import { createTrackedEventWriter } from '../../api/tracked-events.ts';
import type { CustomerProfileDefaults, JourneyEvent } from '../../workflows/contract/index.ts';

export function createDeliverActivity(opts: {
  client: Client;
  taskQueue: string;
  plans: CompiledPlan[];
  dataDir: string;
  customerDefaults?: CustomerProfileDefaults;
  referralCodeSecret?: string;
}) {
  const ingest = new EventIngest({
    client: opts.client,
    taskQueue: opts.taskQueue,
    registry: PlanRegistry.of(opts.plans),
    validate: () => [],
    customerDefaults: opts.customerDefaults,
    referralCodeSecret: opts.referralCodeSecret,
    recordTracked: createTrackedEventWriter(opts.dataDir, loadCatalog(), opts.referralCodeSecret),
    routeTimeoutMs: 60_000,
  });
  return {
    async deliverRecordedEvent(event: JourneyEvent): Promise<void> {
      const answer = await ingest.ingest(event);
      if (answer.status !== 'accepted') throw new Error(`event ${event.id} refused: ${JSON.stringify(answer.errors)}`);
    },
  };
}
