// Activity (run as a local activity when a journey run starts): what the run must know of the time before it
// existed. The API routes an event only where it can act (api/routing.ts), so a detractor, an escalation or a bounce
// that came while the customer had no run of this journey reached only customer:<id>; its customerStartFacts query
// answers with them. The run also learns here whether an earlier run of its workflow id had closed (failed,
// terminated), which the API no longer looks up before every start.
import { customerStartFactsQuery, customerWorkflowId, type CustomerStartFacts } from '../../workflows/contract/index.ts';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { activityMeter } from '../activity-meter.ts';
import { untilActivityCancelled } from '../cancellation.ts';

export interface StartFactsRequest {
  customerId: string;
  /** The run's workflow id: look for an earlier, closed run of it (absent when the API already looked). */
  lookForClosedRunOf?: string;
}

export interface StartFactsReading {
  /** null: no customer workflow yet (nothing about the customer was ever routed), or no client in this worker. */
  facts: CustomerStartFacts | null;
  previousRun?: { runId: string; status: string };
  /** Why an earlier closed run could not be looked for (for the run's notes). */
  previousRunUnknown?: string;
  /** Why facts is null, for the run's notes. */
  missing?: string;
}

const GRPC_UNIMPLEMENTED = 12;

function unimplemented(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return e?.code === GRPC_UNIMPLEMENTED || e?.cause?.code === GRPC_UNIMPLEMENTED;
}

/** The latest closed run of a workflow id, from visibility (a closed run stays listed for the namespace's retention).
 *  A server with no visibility list (the time-skipping test server) cannot tell: undefined, said in `unknown`. */
async function closedRunOf(client: Client, workflowId: string): Promise<{ run?: StartFactsReading['previousRun']; unknown?: string }> {
  const quoted = workflowId.replace(/["\\]/g, '');
  try {
    for await (const run of client.workflow.list({ query: `WorkflowId = "${quoted}" AND ExecutionStatus != "Running"`, pageSize: 1 })) {
      return { run: { runId: run.runId, status: run.status.name } };
    }
    return {};
  } catch (err) {
    if (unimplemented(err)) return { unknown: 'this Temporal server cannot list runs, so an earlier closed run is not looked for' };
    throw err;
  }
}

/** How long each part of the read took, for operators (the read holds a fresh run's first workflow task open):
 *  `journey_start_facts_read_ms{part="closed_run_lookup"|"customer_query"}`. */
async function timed<R>(part: 'closed_run_lookup' | 'customer_query', read: () => Promise<R>): Promise<R> {
  const started = performance.now();
  try {
    return await read();
  } finally {
    activityMeter()
      ?.createHistogram('journey_start_facts_read_ms', 'int', 'ms', "a part of a fresh journey run's start-facts read")
      .record(Math.round(performance.now() - started), { part });
  }
}

export function createStartFactsActivities(deps: { client: Client } | undefined) {
  return {
    async readCustomerStartFacts(req: StartFactsRequest): Promise<StartFactsReading> {
      if (!deps) return { facts: null, missing: 'this worker has no Temporal client to read customer:<id> with' };
      const lookFor = req.lookForClosedRunOf;
      const closed = lookFor ? await timed('closed_run_lookup', () => closedRunOf(deps.client, lookFor)) : {};
      const earlier = {
        ...(closed.run ? { previousRun: closed.run } : {}),
        ...(closed.unknown ? { previousRunUnknown: closed.unknown } : {}),
      };
      try {
        // A query waits for the customer workflow's worker: the activity's cancellation ends the wait.
        const customer = deps.client.workflow.getHandle(customerWorkflowId(req.customerId));
        const facts = await timed('customer_query', () =>
          untilActivityCancelled(deps.client, () => customer.query(customerStartFactsQuery)),
        );
        return { facts, ...earlier };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { facts: null, missing: `no customer:${req.customerId} yet`, ...earlier };
        throw err; // unreachable server, no worker answering the query: retried (journey/start-facts.ts)
      }
    },
  };
}
