// A revoked referral code, against the real API, worker and dev server: an opt-out this API process takes revokes the
// advocate's code here at once (the 15 s lookup cache no longer shows the form), and a second API process, whose
// cached answer still says "active", takes no referral on it: its submission asks the Temporal server for the run's
// stage while it sends the referral, answers the 410 page, and the run refuses the referral itself (event.ignored,
// code-revoked): no referral is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Worker } from '@temporalio/worker';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { journeyEventSignal, journeyStateQuery, journeyWorkflowId, type JourneyEvent } from '../workflows/contract/index.ts';
import { JOURNEYS_DIR, loadJourneyDir } from '../definitions/loader.ts';
import { loadPagesConfig } from '../definitions/pages.ts';
import { PlanRegistry } from '../api/registry.ts';
import { buildApi } from '../api/server.ts';
import { parseApiKeys } from '../api/auth.ts';
import { createJourneyWorker } from '../worker/worker.ts';
import { listOutbox } from '../activities/outbox.ts';
import { readTrackingLog } from '../activities/tracking/ndjson-log.ts';
import { SUBMISSIONS_DIR } from '../api/pages/submission-queue.ts';
import { DEV_UNSUBSCRIBE_SECRET } from '../activities/email/unsubscribe-link.ts';
import { writeDemoJourneys } from '../scripts/demo/demo-journeys.ts';
import { daytimeZones } from '../scripts/demo/population.ts';
import { auth, event, KEYS, postEvent, signalsIn, startApi, type ApiFixture } from './api/support.ts';
import { workflowBundle } from './support/temporal.ts';

const JOURNEY = 'nps-promoter-referral';

/** A third API process's Temporal client, observing (not changing) its calls: each query, describe and signal, when it ran. */
type CallKind = 'query' | 'describe' | 'signal' | 'signalWithStart';
const calls: Array<{ kind: CallKind; workflowId: string; start: number; end: number }> = [];
function observed<T>(kind: CallKind, workflowId: string, next: () => Promise<T>): Promise<T> {
  const call = { kind, workflowId, start: performance.now(), end: Infinity };
  calls.push(call);
  return next().finally(() => (call.end = performance.now()));
}

describe('a revoked referral code (two API processes, worker, dev server)', () => {
  let f: ApiFixture;
  let other: FastifyInstance;
  let late: FastifyInstance;
  let queued: FastifyInstance;
  let faulty: FastifyInstance;
  /** While true, the fifth API process's Temporal client fails every signal (Temporal not taking events). */
  let signalsFail = false;
  const faultyDataDir = mkdtempSync(join(tmpdir(), 'revocation-faulty-'));
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'revocation-journeys-'));
    writeDemoJourneys(JOURNEYS_DIR, dir, { daySeconds: 2 });
    const { plans } = await loadJourneyDir(dir);
    const pages = loadPagesConfig();
    // These tests check what the page answers once Temporal has (thanks, 410): the page waits for it here, however busy
    // the machine (the default, 30 ms, answers from the queue past it; the last test checks that path).
    const waitForTemporal = { referralPageWaitMs: 10_000 };
    f = await startApi({ registry: PlanRegistry.of(plans), pages, ...waitForTemporal });
    // More API processes on the same Temporal and data folder (as `npm run start:cluster` runs two), each with its own
    // registry and lookup cache; the second is a plain one.
    const sibling = (opts: Partial<Parameters<typeof buildApi>[0]>) =>
      buildApi({
        client: f.temporal.client,
        taskQueue: f.taskQueue,
        apiKeys: parseApiKeys(KEYS),
        registry: PlanRegistry.of(plans),
        dataDir: f.dataDir,
        pages,
        ...opts,
      });
    /** A client on the shared connection whose workflow calls go through `interceptor`. */
    const clientWith = (interceptor: WorkflowClientInterceptor) =>
      new Client({ connection: f.temporal.client.connection, namespace: 'default', interceptors: { workflow: [interceptor] } });
    other = await sibling(waitForTemporal);
    // A third, whose Temporal calls the tests count (the submission's lookup and check).
    late = await sibling({
      client: clientWith({
        query: (input, next) => observed('query', input.workflowExecution.workflowId, () => next(input)),
        describe: (input, next) => observed('describe', input.workflowExecution.workflowId, () => next(input)),
        signal: (input, next) => observed('signal', input.workflowExecution.workflowId, () => next(input)),
        signalWithStart: (input, next) => observed('signalWithStart', input.options.workflowId, () => next(input)),
      }),
      ...waitForTemporal,
    });
    // A fourth that never waits for Temporal (JOURNEY_REFERRAL_PAGE_WAIT_MS=0): every submission is answered from its
    // durable queue (api/pages/submission-queue.ts) and sent on after the answer.
    queued = await sibling({ referralPageWaitMs: 0 });
    // A fifth, on a data folder of its own, whose signals fail while signalsFail is set (its queries and describes
    // reach the server): the page's fault paths, Temporal refusing the submission with the disk there or not.
    const refuse = <T>(next: () => Promise<T>): Promise<T> =>
      signalsFail ? Promise.reject(Object.assign(new Error('14 UNAVAILABLE: the test stopped taking signals'), { code: 14 })) : next();
    faulty = await sibling({
      dataDir: faultyDataDir,
      client: clientWith({
        signal: (input, next) => refuse(() => next(input)),
        signalWithStart: (input, next) => refuse(() => next(input)),
      }),
      ...waitForTemporal,
    });
    worker = await createJourneyWorker({
      connection: f.temporal.workerConnection,
      namespace: 'default',
      taskQueue: f.taskQueue,
      workflowBundle: workflowBundle(),
      activityDeps: {
        dataDir: f.dataDir,
        customers: { client: f.temporal.client, taskQueue: f.taskQueue },
        email: {
          dataDir: f.dataDir,
          unsubscribe: { publicUrl: 'http://pages.test', secret: DEV_UNSUBSCRIBE_SECRET, mailbox: 'unsubscribe@globex.example' },
        },
      },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await other?.close();
    await late?.close();
    await queued?.close();
    await faulty?.close();
    await f?.close();
  });

  /** A promoter's first ask; returns the referral code its referral page link carries. */
  async function promoter(customer: string): Promise<string> {
    const res = await postEvent(
      f,
      event(customer, {
        type: 'nps.submitted',
        data: { score: 10 },
        traits: {
          email: `${customer}@globex.example`,
          firstName: 'Ada',
          segment: 'mid-market',
          healthScore: 90,
          timezone: daytimeZones()[0],
        },
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    let html = '';
    await expect
      .poll(
        async () =>
          (html =
            ((await listOutbox(f.dataDir)).find((m) => m.to === `${customer}@globex.example`)?.message as { HtmlBody?: string } | undefined)
              ?.HtmlBody ?? ''),
        { timeout: 90_000 },
      )
      .toContain('/r/');
    return decodeURIComponent(/href="[^"]+\/r\/([^"]+)"/.exec(html)![1]);
  }

  /** A visit: the page's status, and the form's cookie and CSRF field when it shows the form. */
  async function visit(api: FastifyInstance, code: string) {
    const res = await api.inject({ method: 'GET', url: `/r/${encodeURIComponent(code)}` });
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1];
    return { status: res.statusCode, cookie, csrf };
  }

  async function submit(api: FastifyInstance, code: string, form: { cookie: string; csrf?: string }, email: string) {
    return api.inject({
      method: 'POST',
      url: `/r/${encodeURIComponent(code)}`,
      headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf: form.csrf ?? '', name: 'Grace Hopper', email, consent: 'yes' }).toString(),
    });
  }

  /** The refused referral reached the run (it was sent while the page asked about the code) and the run refused it:
   *  it records only the referrals it took, and an event.ignored (code-revoked) for the other. */
  async function expectRefusedByTheRun(customer: string, taken: string[], refusedEmail: string) {
    const run = journeyWorkflowId(JOURNEY, customer);
    const sent = (await signalsIn<JourneyEvent>(f.temporal, run, journeyEventSignal)).filter((e) => e.type === 'referral.submitted');
    const refusedEvent = sent.find((e) => e.data?.referredEmail === refusedEmail);
    if (refusedEvent) {
      await expect
        .poll(
          async () =>
            (await readTrackingLog(f.dataDir)).records.filter((r) => r.data?.eventId === refusedEvent.id).map((r) => r.data?.reason),
          {
            timeout: 30_000,
          },
        )
        .toEqual(['code-revoked']);
    }
    const state = await f.temporal.client.workflow.getHandle(run).query(journeyStateQuery);
    const byEmail = new Map(sent.map((e) => [String(e.data?.referralId), e.data?.referredEmail]));
    expect(state.referrals.map((r) => byEmail.get(r.referralId))).toEqual(taken);
    const records = (await readTrackingLog(f.dataDir)).records.filter((r) => r.customerId === customer && r.type === 'referral.submitted');
    expect(records).toHaveLength(taken.length);
  }

  const optOut = (customer: string) =>
    f.api.inject({ method: 'POST', url: `/v1/customers/${customer}/opt-out`, headers: auth(), payload: { actor: 'sam', reason: 'asked' } });

  it('an opt-out this API process took revokes the code here at once: the next visit is the 410 page, not the cached form', async () => {
    const customer = `revoke-${randomUUID().slice(0, 8)}`;
    const code = await promoter(customer);
    expect((await visit(f.api, code)).status).toBe(200); // the answer is cached for 15 s from here
    const res = await optOut(customer);
    expect(res.statusCode, res.body).toBe(200);
    const after = await visit(f.api, code);
    expect(after.status).toBe(410);
    expect(after.csrf).toBeUndefined();
  });

  it('another API process with the code still cached takes no referral on it: its submission checks the run and answers 410', async () => {
    const customer = `revoke-x-${randomUUID().slice(0, 8)}`;
    const code = await promoter(customer);
    // Before the opt-out: the other process works as usual (the check lets a live run's referral through).
    const first = await visit(other, code);
    expect(first.status).toBe(200);
    const accepted = await submit(other, code, first, 'first@initech.example');
    expect(accepted.statusCode, accepted.body).toBe(200);
    await expect
      .poll(
        async () =>
          (await f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customer)).query(journeyStateQuery)).referrals.length,
      )
      .toBe(1);

    const form = await visit(other, code);
    expect(form.status).toBe(200);
    const res = await optOut(customer); // taken by the first API process
    expect(res.statusCode, res.body).toBe(200);
    // Within the 15 s bound the other process may still show the form from its cache (the documented bound)...
    expect((await visit(other, code)).status).toBe(200);
    // ...but the submission is refused with the page for a code that no longer works, and the run takes no referral.
    const refused = await submit(other, code, form, 'second@initech.example');
    expect(refused.statusCode).toBe(410);
    expect(refused.body).toContain('not valid any more');
    await expectRefusedByTheRun(customer, ['first@initech.example'], 'second@initech.example');
    // The refusal dropped the other process's cached answer too: its next visitor gets the 410 page.
    expect((await visit(other, code)).status).toBe(410);
  });

  it('a form filled in for longer than the visit cache (15 s) is submitted without a query of the run, and still refused once the code is revoked elsewhere', async () => {
    const customer = `revoke-late-${randomUUID().slice(0, 8)}`;
    const code = await promoter(customer);
    const [first, second] = [await visit(late, code), await visit(late, code)];
    expect([first.status, second.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 16_000)); // the visitor fills the form in: the visit cache's 15 s pass
    calls.length = 0;
    const accepted = await submit(late, code, first, 'late-first@initech.example');
    expect(accepted.statusCode, accepted.body).toBe(200);
    // The cached "active" answer names the advocate; the describe decides the code still works. No query: it would
    // wait on the worker, busiest when referrals arrive. The describe runs while the referral is signalled to the run,
    // not before: one Temporal round trip on the page's path, not two in a row.
    const run = journeyWorkflowId(JOURNEY, customer);
    expect(calls.map((c) => c.kind)).not.toContain('query');
    const describe = calls.find((c) => c.kind === 'describe' && c.workflowId === run)!;
    const signal = calls.find((c) => c.kind === 'signal' && c.workflowId === run)!;
    expect([describe, signal].every(Boolean), JSON.stringify(calls)).toBe(true);
    expect(signal.start, 'the referral was signalled before the describe had answered').toBeLessThan(describe.end);

    const res = await optOut(customer); // taken by the first API process: the third one's cache still says "active"
    expect(res.statusCode, res.body).toBe(200);
    const refused = await submit(late, code, second, 'late-second@initech.example');
    expect(refused.statusCode).toBe(410);
    await expectRefusedByTheRun(customer, ['late-first@initech.example'], 'late-second@initech.example');
  });

  it('a submission with nothing cached describes the run while it queries it, not after', async () => {
    const customer = `revoke-cold-${randomUUID().slice(0, 8)}`;
    const code = await promoter(customer);
    const form = await visit(f.api, code); // the form came from another API process: nothing cached in the third
    expect(form.status).toBe(200);
    calls.length = 0;
    const accepted = await submit(late, code, form, 'cold@initech.example');
    expect(accepted.statusCode, accepted.body).toBe(200);
    const query = calls.find((c) => c.kind === 'query')!;
    const describe = calls.find((c) => c.kind === 'describe')!;
    expect(
      calls
        .map((c) => c.kind)
        .filter((k) => k === 'describe' || k === 'query')
        .sort(),
    ).toEqual(['describe', 'query']);
    expect(describe.start, 'the describe started before the query had answered').toBeLessThan(query.end);
  });

  it('with Temporal refusing, the page thanks once the submission is on disk and sends it when Temporal is back; with the disk failing too, it does not thank', async () => {
    const folder = join(faultyDataDir, SUBMISSIONS_DIR);
    const referrals = async (customer: string) =>
      (await f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customer)).query(journeyStateQuery)).referrals.length;
    // On disk: thanked, the file waits in the folder, and the queue's retry (15 s) delivers it once signals flow again.
    const kept = `kept-${randomUUID().slice(0, 8)}`;
    const keptCode = await promoter(kept);
    const keptForm = await visit(faulty, keptCode);
    expect(keptForm.status).toBe(200);
    signalsFail = true;
    const thanked = await submit(faulty, keptCode, keptForm, 'kept@initech.example');
    expect(thanked.statusCode, thanked.body).toBe(200);
    expect(thanked.body).toContain('role="status"');
    expect(readdirSync(folder)).toHaveLength(1);
    signalsFail = false;
    await expect.poll(() => referrals(kept), { timeout: 45_000, interval: 1_000 }).toBe(1);
    await expect.poll(() => readdirSync(folder), { timeout: 5_000 }).toEqual([]);

    // The disk fails as well (the folder replaced by a file): neither holds the submission, so no thanks.
    const lost = `lost-${randomUUID().slice(0, 8)}`;
    const lostCode = await promoter(lost);
    const lostForm = await visit(faulty, lostCode);
    expect(lostForm.status).toBe(200);
    signalsFail = true;
    rmSync(folder, { recursive: true });
    writeFileSync(folder, 'not a folder');
    const refused = await submit(faulty, lostCode, lostForm, 'lost@initech.example');
    expect(refused.statusCode).toBe(500);
    expect(refused.body).toContain('Something went wrong');
    // Both mended: the friend's retry of the same form is taken, once.
    rmSync(folder);
    mkdirSync(folder);
    signalsFail = false;
    const retried = await submit(faulty, lostCode, lostForm, 'lost@initech.example');
    expect(retried.statusCode, retried.body).toBe(200);
    await expect.poll(() => referrals(lost), { timeout: 30_000 }).toBe(1);
  });

  it('a page that answers before Temporal does (wait 0 ms) thanks at once, and the referral still reaches the run, once', async () => {
    const customer = `queued-${randomUUID().slice(0, 8)}`;
    const code = await promoter(customer);
    const form = await visit(queued, code);
    expect(form.status).toBe(200);
    const res = await submit(queued, code, form, 'queued@initech.example');
    expect(res.statusCode, res.body).toBe(200);
    expect(String(res.headers['server-timing'])).toContain('ingest;dur=0+'); // answered from the queue
    const again = await submit(queued, code, form, 'queued@initech.example'); // a double click: the same form
    expect(again.statusCode).toBe(200);
    const run = f.temporal.client.workflow.getHandle(journeyWorkflowId(JOURNEY, customer));
    await expect.poll(async () => (await run.query(journeyStateQuery)).referrals.length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => readdirSync(join(f.dataDir, SUBMISSIONS_DIR)).length, { timeout: 30_000 }).toBe(0);
    const sent = (await signalsIn<JourneyEvent>(f.temporal, journeyWorkflowId(JOURNEY, customer), journeyEventSignal)).filter(
      (e) => e.type === 'referral.submitted',
    );
    expect(new Set(sent.map((e) => e.id)).size).toBe(1);
  });
});
