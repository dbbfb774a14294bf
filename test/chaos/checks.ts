// What the chaos suite checks once the faults are over and the journeys have settled, read from every side:
// the Postmark-compatible server (emails per send key), the reward receiver (payouts per Idempotency-Key), the API's
// view of each customer (every run's record of its sends, customer:<id>'s reward ledger), the tracking log, and
// Temporal's histories (run status, workflow-task failures, activity attempts against their retry bound). Runs are
// read while they live: nothing is cancelled or ended to make a number appear.
import { customerTaskQueueOf } from '../../worker/temporal-config.ts';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { readTrackingLog } from '../../activities/tracking/ndjson-log.ts';
import { metadataValue } from '../../activities/email/message.ts';
import type { CustomerSnapshot, SentEmail, TrackingRecord } from '../../workflows/contract/index.ts';
import { CHAOS_API_KEY, type Cluster } from './cluster.ts';
import type { Traffic } from './traffic.ts';

export interface CheckRow {
  check: string;
  value: string;
  ok: boolean;
  /** A few of the items that failed the check, for the reader of the table. */
  examples?: string[];
}

/** Scenarios whose customers are never asked: any email to them is a defect. */
const NEVER_EMAILED = new Set(['detractor', 'churn-risk-promoter']);
/**
 * Scenarios that always progress in the named journey: asked by email, or (when the worker was down until after their
 * action arrived) acting before the ask was due, which rightly needs no ask.
 */
const ALWAYS_EMAILED: Record<string, string> = {
  'promoter-refers': 'nps-promoter-referral',
  'promoter-silent': 'nps-promoter-referral',
  'top-advocate': 'nps-promoter-referral',
  'milestone-review': 'milestone-review-ask',
  'support-praise-community': 'support-praise-advocacy',
};
/** Scenarios whose referral closes won: the advocate is paid at least once. */
const ALWAYS_PAID = new Set(['promoter-refers', 'top-advocate']);
/** How long an ask whose contact slot was granted before an opt-out may still be in flight (activity retries). */
const OPT_OUT_GRACE_MS = 90_000;
/** Event types every journey that hears them records with the event's id (so "applied" can be read back). */
const RECORDED_TYPES = new Set([
  'nps.submitted',
  'referral.submitted',
  'review.posted',
  'community.joined',
  'reference_call.completed',
  'case_study.published',
  'qbr.completed',
  'milestone.reached',
  'support.case_closed',
  'payment.failed',
  'escalation.opened',
  'customer.opted_out',
]);

export interface RunFacts {
  runs: number;
  byStatus: Record<string, number>;
  workflowTaskFailures: number;
  /** Most workflow-task failures in one run. */
  worstWorkflowTaskFailures: number;
  /** Activity attempts (started or pending) beyond their retry policy's maximumAttempts. */
  attemptsPastBound: number;
  /** Activities scheduled with no attempt bound, whose type is not one of the documented unbounded choices. */
  undocumentedUnbounded: string[];
  /** The highest attempt any activity with a documented unbounded policy reached (payouts, tracking). */
  highestUnboundedAttempt: number;
  /** Running workflows with a workflow task pending for more than a minute, or an activity pending past its bound. */
  stuck: string[];
}

/** Retry policies that are unbounded by choice, each with its alert (workflows/journey/activities.ts RETRY_POLICIES). */
const UNBOUNDED_BY_CHOICE = new Set(['issueReward', 'reverseReward', 'recordTracking', 'recordTrackingBatch']);

/** The journeys' queue and the customers' queue beside it (worker/main.ts runs customer:<id> there). */
const onQueues = (taskQueue: string) => `(TaskQueue = "${taskQueue}" OR TaskQueue = "${customerTaskQueueOf(taskQueue)}")`;

async function listAll(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query })) out.push(wf);
  return out;
}

/** Status, workflow-task failures and activity attempts of every run (every continue-as-new link) on the task queue. */
export async function readRuns(client: Client, taskQueue: string): Promise<RunFacts> {
  const runs = await listAll(client, onQueues(taskQueue));
  const facts: RunFacts = {
    runs: runs.length,
    byStatus: {},
    workflowTaskFailures: 0,
    worstWorkflowTaskFailures: 0,
    attemptsPastBound: 0,
    undocumentedUnbounded: [],
    highestUnboundedAttempt: 0,
    stuck: [],
  };
  for (const run of runs) {
    facts.byStatus[run.status.name] = (facts.byStatus[run.status.name] ?? 0) + 1;
    const handle = client.workflow.getHandle(run.workflowId, run.runId);
    const history = await handle.fetchHistory();
    let failures = 0;
    const bounds = new Map<string, { bound: number; type: string }>();
    for (const e of history.events ?? []) {
      if (e.workflowTaskFailedEventAttributes) failures++;
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) {
        const type = scheduled.activityType?.name ?? '?';
        bounds.set(String(e.eventId), { bound: scheduled.retryPolicy?.maximumAttempts ?? 0, type });
        if (!scheduled.retryPolicy?.maximumAttempts && !UNBOUNDED_BY_CHOICE.has(type) && !facts.undocumentedUnbounded.includes(type))
          facts.undocumentedUnbounded.push(type);
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started) {
        const { bound, type } = bounds.get(String(started.scheduledEventId)) ?? { bound: 0, type: '?' };
        if (bound > 0 && (started.attempt ?? 1) > bound) facts.attemptsPastBound++;
        if (bound === 0 && UNBOUNDED_BY_CHOICE.has(type))
          facts.highestUnboundedAttempt = Math.max(facts.highestUnboundedAttempt, started.attempt ?? 1);
      }
    }
    facts.workflowTaskFailures += failures;
    facts.worstWorkflowTaskFailures = Math.max(facts.worstWorkflowTaskFailures, failures);
    if (run.status.name !== 'RUNNING') continue;
    const { raw } = await handle.describe();
    const task = raw.pendingWorkflowTask;
    const taskAge = task?.scheduledTime ? Date.now() - Number(task.scheduledTime.seconds ?? 0) * 1000 : 0;
    if (taskAge > 60_000) facts.stuck.push(`${run.workflowId}: workflow task pending ${Math.round(taskAge / 1000)}s`);
    for (const a of raw.pendingActivities ?? []) {
      if (a.maximumAttempts && (a.attempt ?? 0) > a.maximumAttempts) {
        facts.attemptsPastBound++;
        facts.stuck.push(`${run.workflowId}: ${a.activityType?.name} attempt ${a.attempt}/${a.maximumAttempts}`);
      }
    }
  }
  return facts;
}

/** True when no running workflow on the queue has a pending activity or workflow task: the system has settled. */
export async function settled(client: Client, taskQueue: string): Promise<boolean> {
  for (const run of await listAll(client, `${onQueues(taskQueue)} AND ExecutionStatus = "Running"`)) {
    const { raw } = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    if ((raw.pendingActivities ?? []).length > 0 || raw.pendingWorkflowTask) return false;
  }
  return true;
}

/** What keeps the system from settling, a line each: every running run's pending workflow task and activities (type,
 *  attempt, state, last failure, when the next attempt is due), for the log of a run that did not settle. */
export async function pendingWork(client: Client, taskQueue: string): Promise<string[]> {
  const lines: string[] = [];
  const at = (t?: { seconds?: unknown } | null) => (t?.seconds ? new Date(Number(t.seconds) * 1000).toISOString() : '-');
  for (const run of await listAll(client, `${onQueues(taskQueue)} AND ExecutionStatus = "Running"`)) {
    const { raw } = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    if (raw.pendingWorkflowTask)
      lines.push(`${run.workflowId}: workflow task ${raw.pendingWorkflowTask.state} since ${at(raw.pendingWorkflowTask.scheduledTime)}`);
    for (const a of raw.pendingActivities ?? [])
      lines.push(
        `${run.workflowId}: ${a.activityType?.name} attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''} ${a.state}` +
          `, next attempt ${at(a.nextAttemptScheduleTime)}, last failure: ${a.lastFailure?.message ?? '-'}`,
      );
  }
  return lines;
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

export async function checkChaos(cluster: Cluster, traffic: Traffic, runs: RunFacts): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const row = (check: string, value: string | number, ok: boolean, examples: string[] = []) =>
    rows.push({ check, value: String(value), ok, ...(ok ? {} : { examples: examples.slice(0, 5) }) });
  const emails = cluster.postmark.accepted;
  const perKey = countBy(emails, (m) => String(m.body.Metadata?.sendKey));

  // What the engine says each customer was sent (GET /v1/customers/<id> → sends: every journey run's record of its
  // emails) and paid (customer:<id>'s ledger, in the same answer's profile).
  const snapshots = new Map<string, CustomerSnapshot>();
  const recordedSends: SentEmail[] = [];
  const ids = new Set(traffic.events.map((e) => e.customerId));
  for (const id of ids) {
    const answer = await fetch(`${cluster.apiUrl}/v1/customers/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${CHAOS_API_KEY}` },
    }).catch(() => undefined);
    if (answer?.status !== 200) continue;
    const body = (await answer.json()) as { profile: CustomerSnapshot | null; sends: SentEmail[] };
    if (body.profile) snapshots.set(id, body.profile);
    recordedSends.push(...body.sends);
  }
  const recordedKeys = new Set(recordedSends.map((s) => metadataValue(s.sendKey)));

  // Emails: one per send key where due, none where suppressed or opted out.
  const duplicated = [...perKey].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
  const missing = [...recordedKeys].filter((k) => !perKey.has(k));
  // An owner task's email goes to the account owner, not to the customer: it is in no customer's contact history.
  const customerAddress = new Map(traffic.customers.map((c) => [c.id, String(c.traits.email ?? '').toLowerCase()]));
  const toOwner = (m: (typeof emails)[number]) =>
    !String(m.body.To ?? '')
      .toLowerCase()
      .includes(customerAddress.get(String(m.body.Metadata?.customer)) || '\u0000');
  const ownerKeys = new Set(emails.filter(toOwner).map((m) => String(m.body.Metadata?.sendKey)));
  const unrecorded = [...perKey.keys()].filter((k) => !recordedKeys.has(k) && !ownerKeys.has(k));
  const emailsTo = countBy(emails, (m) => `${m.body.Metadata?.customer}|${m.body.Metadata?.journey}`);
  const neverEmailed = traffic.customers.filter((c) => NEVER_EMAILED.has(c.scenario.id));
  const wronglyEmailed = neverEmailed.filter((c) => [...emailsTo.keys()].some((k) => k.startsWith(`${c.id}|`))).length;
  const due = traffic.customers.filter((c) => ALWAYS_EMAILED[c.scenario.id]);
  const log = await readTrackingLog(cluster.dir + '/data');
  const acted = new Set(log.records.filter((r) => r.type === 'action.taken').map((r) => `${r.customerId}|${r.journeyId}`));
  const notAsked = due
    .filter((c) => !emailsTo.get(`${c.id}|${ALWAYS_EMAILED[c.scenario.id]}`) && !acted.has(`${c.id}|${ALWAYS_EMAILED[c.scenario.id]}`))
    .map((c) => `${c.id} (${c.scenario.id})`);
  const optOuts = traffic.events.filter((e) => e.type === 'customer.opted_out' && e.status < 300);
  const afterOptOut = emails.filter((m) =>
    optOuts.some((o) => o.customerId === m.body.Metadata?.customer && Date.parse(m.ReceivedAt) > o.acceptedAt + OPT_OUT_GRACE_MS),
  ).length;
  row('emails accepted by Postmark (distinct send keys)', `${emails.length} (${perKey.size})`, true);
  row('send keys emailed more than once', duplicated.length, duplicated.length === 0, duplicated);
  row('sends recorded by journey runs but not at Postmark', missing.length, missing.length === 0, missing);
  row('emails at Postmark that no journey run recorded', unrecorded.length, unrecorded.length === 0, unrecorded);
  row('owner tasks emailed to account owners (distinct send keys)', ownerKeys.size, true);
  row(`customers due an ask neither asked nor acting (of ${due.length})`, notAsked.length, notAsked.length === 0, notAsked);
  row(`never-asked customers emailed (of ${neverEmailed.length})`, wronglyEmailed, wronglyEmailed === 0);
  row(
    `emails after an opt-out was taken (+${OPT_OUT_GRACE_MS / 1000}s in flight; ${optOuts.length} opt-outs)`,
    afterOptOut,
    afterOptOut === 0,
  );

  // Payouts: exactly one per Idempotency-Key, the same reward never under two keys, the ledger equal to the payouts.
  const payoutRequests = cluster.rewards.requests.filter((r) => r.label === 'issue' && r.status === 200);
  const payouts = cluster.rewards.payouts;
  const sameReward = countBy([...payouts.values()], (p) =>
    JSON.stringify([p.recipientId, p.advocateId, p.referralId, p.role, p.kind, p.reason, p.journeyId]),
  );
  const doublePaid = [...sameReward.values()].filter((n) => n > 1).length;
  const ledgerIssued = [...snapshots.values()].flatMap((s) => s.rewards).filter((r) => r.status === 'issued' && r.provider === 'webhook');
  const ledgerKeys = new Set(ledgerIssued.map((r) => r.id));
  const payoutKeys = new Set(payouts.keys());
  const ledgerNotPaid = [...ledgerKeys].filter((k) => !payoutKeys.has(k)).length;
  const paidNotLedger = [...payoutKeys].filter((k) => !ledgerKeys.has(k)).length;
  const unpaid = traffic.customers
    .filter((c) => ALWAYS_PAID.has(c.scenario.id) && !ledgerIssued.some((r) => r.customerId === c.id))
    .map((c) => `${c.id} (${c.scenario.id})`);
  row('payouts (receiver, by Idempotency-Key) / answered 200', `${payouts.size} / ${payoutRequests.length}`, true);
  row('the same reward paid under two keys', doublePaid, doublePaid === 0);
  row('ledger "issued" entries without a payout', ledgerNotPaid, ledgerNotPaid === 0);
  row('payouts without a ledger entry', paidNotLedger, paidNotLedger === 0);
  row('advocates whose closed-won referral was never paid', unpaid.length, unpaid.length === 0, unpaid);

  // Events: every event the API or the webhook took is applied (its record exists), none applied twice.
  const taken = traffic.events.filter((e) => e.status < 300);
  const refusedForGood = traffic.events.filter((e) => e.status >= 400 && e.status !== 409);
  const retried = traffic.events.filter((e) => e.refusals.length > 0).length;
  const byEvent = new Map<string, TrackingRecord[]>();
  for (const r of log.records) {
    const id = r.data?.eventId;
    if (typeof id === 'string') byEvent.set(id, [...(byEvent.get(id) ?? []), r]);
  }
  // An opted-out run rightly ignores what comes after the opt-out (an action, another answer).
  const optedOutAt = new Map(optOuts.map((o) => [o.customerId, o.acceptedAt]));
  const notApplied = taken
    .filter((e) => RECORDED_TYPES.has(e.type) && !byEvent.has(e.id) && !(e.acceptedAt > (optedOutAt.get(e.customerId) ?? Infinity)))
    .map((e) => `${e.type} ${e.id}`);
  const twice = [...byEvent.entries()].flatMap(([id, recs]) =>
    [...countBy(recs, (r) => `${r.journeyId} ${r.type}`)].filter(([, n]) => n > 1).map(([what, n]) => `${what} ×${n} for ${id}`),
  );
  row('events taken (after a 503/429/timeout first)', `${taken.length} (${retried})`, true);
  const met503 = (via: string) => taken.filter((e) => e.via === via && e.refusals.includes(503)).length;
  row('taken after a 503 first: API events / Postmark webhooks', `${met503('api')} / ${met503('postmark-webhook')}`, true);
  row(
    'events refused for good (4xx)',
    refusedForGood.length,
    refusedForGood.length === 0,
    refusedForGood.map((e) => `${e.id}: ${e.status}`),
  );
  row('events taken but never applied', notApplied.length, notApplied.length === 0, notApplied);
  row('events applied twice (same journey, same fact)', twice.length, twice.length === 0, twice);

  // Tracking: no line twice, none torn, every ask email has its ask.sent and every payout its reward.issued.
  // Both channels email: the customer (email) or their account owner (owner-outreach).
  const askSentKeys = new Set(log.records.filter((r) => r.type === 'ask.sent').map((r) => metadataValue(String(r.data?.sendKey))));
  const askEmails = new Set(
    emails.filter((m) => String(m.body.Metadata?.step ?? '').startsWith('invite:')).map((m) => String(m.body.Metadata?.sendKey)),
  );
  const emailWithoutRecord = [...askEmails].filter((k) => !askSentKeys.has(k));
  const recordWithoutEmail = [...askSentKeys].filter((k) => !askEmails.has(k));
  const issuedRecords = new Set(
    log.records.filter((r) => r.type === 'reward.issued' && r.data?.provider === 'webhook').map((r) => String(r.data?.rewardKey)),
  );
  const payoutWithoutRecord = [...payoutKeys].filter((k) => !issuedRecords.has(k)).length;
  const recordWithoutPayout = [...issuedRecords].filter((k) => !payoutKeys.has(k)).length;
  row('tracking records (distinct keys)', log.records.length, true);
  row(
    'tracking lines written twice / torn',
    `${log.duplicates} / ${log.badLines.length}`,
    log.duplicates === 0 && log.badLines.length === 0,
  );
  row(
    'asks emailed without ask.sent / ask.sent without email',
    `${emailWithoutRecord.length} / ${recordWithoutEmail.length}`,
    emailWithoutRecord.length + recordWithoutEmail.length === 0,
    [...emailWithoutRecord, ...recordWithoutEmail],
  );
  row(
    'payouts without reward.issued / reward.issued without payout',
    `${payoutWithoutRecord} / ${recordWithoutPayout}`,
    payoutWithoutRecord + recordWithoutPayout === 0,
  );

  // Runs: none failed or stuck, no workflow task failing in a loop, no activity past its retry bound.
  const bad = Object.entries(runs.byStatus).filter(([s]) => !['RUNNING', 'CONTINUED_AS_NEW', 'COMPLETED'].includes(s));
  row('runs (every continue-as-new link)', `${runs.runs} ${JSON.stringify(runs.byStatus)}`, true);
  row(
    'runs failed, terminated or timed out',
    bad.reduce((n, [, c]) => n + c, 0),
    bad.length === 0,
  );
  row('runs stuck (workflow task > 60 s, activity past its bound)', runs.stuck.length, runs.stuck.length === 0, runs.stuck);
  row(
    'workflow task failures (all runs / worst run)',
    `${runs.workflowTaskFailures} / ${runs.worstWorkflowTaskFailures}`,
    runs.worstWorkflowTaskFailures <= 2,
  );
  row('activity attempts past their retry bound', runs.attemptsPastBound, runs.attemptsPastBound === 0);
  row(
    'activity types with no attempt bound, not a documented choice',
    runs.undocumentedUnbounded.length,
    runs.undocumentedUnbounded.length === 0,
    runs.undocumentedUnbounded,
  );
  row('highest attempt of a payout or tracking write (unbounded by choice, alerted)', runs.highestUnboundedAttempt, true);
  // A process restarted during a Temporal outage waits for it (worker/temporal-connect.ts): none ends by itself.
  const { workerExits, apiExits } = cluster.counts;
  row('workers / APIs that exited by themselves (not killed)', `${workerExits} / ${apiExits}`, workerExits + apiExits === 0);
  return rows;
}

/** The table, with a few examples under each failed check. */
export function formatTable(rows: CheckRow[]): string {
  const width = Math.max(...rows.map((r) => r.check.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length), 5);
  const lines = rows.flatMap((r) => [
    `${r.check.padEnd(width)}  ${r.value.padStart(valueWidth)}  ${r.ok ? 'ok' : 'FAIL'}`,
    ...(r.examples ?? []).map((e) => `    e.g. ${e}`),
  ]);
  return [`${'check'.padEnd(width)}  ${'value'.padStart(valueWidth)}  result`, '-'.repeat(width + valueWidth + 10), ...lines].join('\n');
}
