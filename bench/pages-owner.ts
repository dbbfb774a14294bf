// The owner task page's rows of bench/pages.ts: GET /o/<token> (the task shown: one query of the run) and POST
// /o/<token> (the answer: the query, then owner_task.completed through ingest, i.e. a signal to the run and one to
// customer:<id> at once), each against its raw baseline, the same Temporal calls made straight from the bench.
// Strategic accounts renew (the shipped strategic-reference-advisory journey, its task sent at once and open for 30
// minutes, the owner's working hours all day): the worker emails each owner a task with its Done link. Half the
// tasks are answered by the raw row, half by ours (a task is answered once).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { CompiledPlan } from '../definitions/plan.ts';
import { listOutbox } from '../activities/outbox.ts';
import {
  customerEventSignal,
  customerWorkflowId,
  journeyEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
} from '../workflows/contract/index.ts';
import { timed, type Row } from './pages-timing.ts';
import { strategicRenewal } from '../test/support/strategic-account.ts';

export const OWNER_JOURNEY = 'strategic-reference-advisory';

/** The demo plans with the owner task sent at once and open long enough for the bench. */
/** The same two settings written into the owner journey's file in `dir`, for an API process that loads the folder itself. */
export function ownerTaskFilesForBench(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const path = join(dir, file);
    const definition = JSON.parse(readFileSync(path, 'utf8'));
    if (definition.id !== OWNER_JOURNEY) continue;
    for (const motion of Object.values(definition.motions ?? {}) as Array<{
      invite: { firstAskDelay?: string; ownerTask?: { answerWithin?: string } };
    }>) {
      motion.invite.firstAskDelay = 'PT1S';
      if (motion.invite.ownerTask) motion.invite.ownerTask.answerWithin = 'PT30M';
    }
    writeFileSync(path, `${JSON.stringify(definition, null, 2)}\n`);
  }
}

export function ownerTaskPlansForBench(plans: CompiledPlan[]): void {
  for (const plan of plans.filter((p) => p.journeyId === OWNER_JOURNEY))
    for (const motion of Object.values(plan.definition.motions)) {
      motion.invite.firstAskDelay = 'PT1S';
      if (motion.invite.ownerTask) motion.invite.ownerTask.answerWithin = 'PT30M';
    }
}

const ownerOf = (id: string) => `owner-${id}@acme.example`;

/** Renewals of `ids` (strategic accounts, each with its own owner). */
export async function renewStrategicAccounts(base: string, ids: string[], post: (res: Response) => Promise<unknown>) {
  for (const id of ids) {
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        id: `renewal-${id}`,
        customerId: id,
        occurredAt: new Date().toISOString(),
        ...strategicRenewal(id, ownerOf(id)),
      }),
    });
    await post(res);
  }
}

/** Each account's task page link (without ?answer), once its owner's email is in the outbox. */
export async function ownerTaskLinks(dataDir: string, ids: string[], timeoutMs = 120_000): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  while (links.size < ids.length && Date.now() < deadline) {
    for (const m of await listOutbox(dataDir)) {
      const id = ids.find((x) => m.to === ownerOf(x));
      const done = /href="([^"]+\/o\/[^"?]+)\?answer=done"/.exec((m.message as { HtmlBody?: string }).HtmlBody ?? '')?.[1];
      if (id && done) links.set(id, done);
    }
    if (links.size < ids.length) await new Promise((r) => setTimeout(r, 500));
  }
  if (links.size < ids.length) throw new Error(`only ${links.size} of ${ids.length} owner tasks reached the outbox`);
  return links;
}

export async function ownerTaskRows(opts: {
  client: Client;
  ids: string[];
  links: Map<string, string>;
  n: number;
  ok: (res: Response, status?: number) => Promise<string>;
}): Promise<Row[]> {
  const { client, ids, links, n, ok } = opts;
  const run = (id: string) => client.workflow.getHandle(journeyWorkflowId(OWNER_JOURNEY, id));
  const rows: Row[] = [];
  rows.push({
    name: 'raw query journeyState (owner run)',
    ...(await timed(n, async (i) => void (await run(ids[i % ids.length]).query(journeyStateQuery)))),
  });
  rows.push({
    name: 'ours GET /o/<token>',
    ...(await timed(n, async (i) => void (await ok(await fetch(links.get(ids[i % ids.length])!))))),
    baseline: 'raw query journeyState (owner run)',
  });
  const half = Math.floor(ids.length / 2);
  const [rawIds, ourIds] = [ids.slice(0, half), ids.slice(half, 2 * half)];
  // What POST /o does at Temporal, straight: the run queried (the task, its id), then the answer signalled to the
  // run and to customer:<id> at once (ingest's routing of owner_task.completed).
  rows.push({
    name: 'raw query + 2 signals (owner answer)',
    ...(await timed(rawIds.length, async (i) => {
      const id = rawIds[i];
      const state = await run(id).query(journeyStateQuery);
      const now = new Date().toISOString();
      const ev = {
        id: `raw-answer-${id}`,
        type: 'owner_task.completed',
        customerId: id,
        occurredAt: now,
        receivedAt: now,
        data: { taskId: state.ownerTask!.taskId },
      };
      await Promise.all([
        run(id).signal(journeyEventSignal, ev),
        client.workflow.getHandle(customerWorkflowId(id)).signal(customerEventSignal, ev),
      ]);
    })),
  });
  // Each POST needs its page first (the CSRF cookie and field), as the owner's click does; only the POST is timed.
  const forms: Array<{ url: string; cookie: string; body: string }> = [];
  for (const id of ourIds) {
    const url = links.get(id)!;
    const res = await fetch(url);
    const html = await ok(res);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1];
    forms.push({
      url,
      cookie: (res.headers.get('set-cookie') ?? '').split(';')[0],
      body: new URLSearchParams({ csrf, answer: 'done' }).toString(),
    });
  }
  rows.push({
    name: 'ours POST /o/<token> (answer)',
    ...(await timed(forms.length, async (i) => {
      const f = forms[i];
      const res = await fetch(f.url, {
        method: 'POST',
        headers: { cookie: f.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: f.body,
      });
      const html = await ok(res);
      if (!html.includes('marked as done')) throw new Error(`POST /o did not confirm the answer: ${html.slice(0, 300)}`);
    })),
    baseline: 'raw query + 2 signals (owner answer)',
  });
  return rows;
}
