// The fuzzer's audit of every run a campaign touched, read while the runs live: no workflow task failed (a failing
// task is retried for ever: the run is stuck), none pending for long, no run failed, and no run acted on another
// customer's event (its traits hold only its own address, every email went to the customer of the run that sent it).
import { customerTaskQueueOf } from '../worker/temporal-config.ts';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import protos from '@temporalio/proto';
import { listOutbox } from '../activities/outbox.ts';
import { customerStateQuery, journeyStateQuery } from '../workflows/contract/index.ts';
import { addressOf } from './fuzz-requests.ts';

const { EventType, WorkflowTaskFailedCause } = protos.temporal.api.enums.v1;

export interface Audit {
  workflows: number;
  journeyRuns: number;
  workflowTaskFailures: { workflowId: string; count: number; cause: string }[];
  /** Runs with a workflow task pending past the bound, or on a retry attempt, when the audit ended. */
  stuck: { workflowId: string; attempt: number; pendingSeconds: number }[];
  failedRuns: { workflowId: string; status: string }[];
  /** Runs whose state query failed (a run whose workflow task fails cannot answer). */
  unreadable: string[];
  /** Acts on another customer's event: a trait or an email of someone else in this customer's run. */
  crossCustomer: string[];
  /** Events naming another customer sent straight to a run that the run's notes show refused (the notes keep the last 30). */
  foreignRefusalsSeen: number;
  foreignEventsSent: number;
  emails: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The campaign's runs: the journeys on its queue, and customer:<id> on the customers' queue beside it (worker/main.ts). */
async function listOn(client: Client, taskQueue: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  const query = `TaskQueue = "${taskQueue}" OR TaskQueue = "${customerTaskQueueOf(taskQueue)}"`;
  for await (const wf of client.workflow.list({ query })) out.push(wf);
  return out;
}

/** Waits (bounded) until no run on the queue has a workflow task pending, so what is left pending is stuck. */
async function pendingTasks(client: Client, ids: string[]): Promise<{ workflowId: string; attempt: number; pendingSeconds: number }[]> {
  const pending = [];
  for (const workflowId of ids) {
    const d = await client.workflow.getHandle(workflowId).describe();
    const task = d.raw.pendingWorkflowTask;
    if (!task) continue;
    const scheduled = Number(task.scheduledTime?.seconds ?? 0) * 1000;
    pending.push({ workflowId, attempt: task.attempt ?? 1, pendingSeconds: Math.round((Date.now() - scheduled) / 1000) });
  }
  return pending;
}

export async function auditRuns(
  client: Client,
  taskQueue: string,
  dataDir: string,
  foreignEvents: { workflowId: string; eventId: string; namedCustomer: string }[],
  customers: readonly string[],
  settleMs = 60_000,
): Promise<Audit> {
  // Only the campaign's own customers' addresses count: a mutated event may legitimately give customer "a:b" any address.
  const ownerOf = new Map(customers.map((c) => [addressOf(c), c]));
  let workflows = await listOn(client, taskQueue);
  const deadline = Date.now() + settleMs;
  let stuck = await pendingTasks(
    client,
    workflows.map((w) => w.workflowId),
  );
  // A task on a retry attempt is failing in a loop: waiting longer changes nothing.
  while (stuck.some((t) => t.attempt <= 1) && Date.now() < deadline) {
    await sleep(2000);
    workflows = await listOn(client, taskQueue);
    stuck = await pendingTasks(
      client,
      workflows.map((w) => w.workflowId),
    );
  }
  const audit: Audit = {
    workflows: workflows.length,
    journeyRuns: 0,
    workflowTaskFailures: [],
    stuck,
    failedRuns: [],
    unreadable: [],
    crossCustomer: [],
    foreignRefusalsSeen: 0,
    foreignEventsSent: foreignEvents.length,
    emails: 0,
  };
  for (const wf of workflows) {
    if (wf.status.name !== 'RUNNING' && wf.status.name !== 'COMPLETED' && wf.status.name !== 'CONTINUED_AS_NEW')
      audit.failedRuns.push({ workflowId: wf.workflowId, status: wf.status.name });
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    // UnhandledCommand is the server refusing a completion because new signals arrived meanwhile (the SDK redoes the
    // task at once): Temporal's normal way, not a failing task; a loop of them would show as a stuck task above.
    const failures = (history.events ?? []).filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED &&
        e.workflowTaskFailedEventAttributes?.cause !== WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    );
    if (failures.length > 0) {
      const attrs = failures[0].workflowTaskFailedEventAttributes;
      audit.workflowTaskFailures.push({
        workflowId: wf.workflowId,
        count: failures.length,
        cause: `${attrs?.cause ?? ''} ${attrs?.failure?.message ?? ''}`.slice(0, 300),
      });
    }
    if (wf.workflowId.startsWith('customer:') && wf.status.name === 'RUNNING') {
      const customerId = wf.workflowId.slice('customer:'.length);
      const profile = await client.workflow
        .getHandle(wf.workflowId)
        .query(customerStateQuery)
        .catch((err: Error) => void audit.unreadable.push(`${wf.workflowId}: ${err.message}`));
      const owner = profile && typeof profile.traits.email === 'string' ? ownerOf.get(profile.traits.email) : undefined;
      if (customers.includes(customerId) && owner !== undefined && owner !== customerId)
        audit.crossCustomer.push(`${wf.workflowId} holds the trait email ${String(profile?.traits.email)}`);
      continue;
    }
    if (!wf.workflowId.startsWith('journey:') || wf.status.name !== 'RUNNING') continue;
    audit.journeyRuns++;
    const customerId = wf.workflowId.split(':').slice(2).join(':');
    const state = await client.workflow
      .getHandle(wf.workflowId)
      .query(journeyStateQuery)
      .catch((err: Error) => {
        audit.unreadable.push(`${wf.workflowId}: ${err.message}`);
        return undefined;
      });
    if (!state) continue;
    const email = (state.traits as Record<string, unknown>)?.email;
    const owner = typeof email === 'string' ? ownerOf.get(email) : undefined;
    if (customers.includes(customerId) && owner !== undefined && owner !== customerId)
      audit.crossCustomer.push(`${wf.workflowId} holds the trait email ${JSON.stringify(email)}`);
    const notes = state.notes.map((n) => n.text).join('\n');
    for (const f of foreignEvents.filter((x) => x.workflowId === wf.workflowId))
      if (notes.includes(`${f.eventId}: it names customer`)) audit.foreignRefusalsSeen++;
  }
  for (const m of await listOutbox(dataDir)) {
    audit.emails++;
    const customer = (m.message as { Metadata?: Record<string, string> }).Metadata?.customer;
    const owner = ownerOf.get(m.to);
    if (customer && customers.includes(customer) && owner !== undefined && owner !== customer)
      audit.crossCustomer.push(`an email for customer ${customer} went to ${m.to}`);
  }
  return audit;
}
