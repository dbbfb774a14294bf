// The referral page's durable queue (api/pages/submission-queue.ts): a submission is on disk before the page answers,
// leaves only once ingest answered it, and one Temporal did not take is sent again (same event, same id) by the
// drain, also by the next process on the same folder. The ingest here is the queue's own seam (EventIngest.ingest's
// contract: an answer, or EventNotTaken thrown), scripted to fail while "Temporal is down"; the end-to-end path,
// against the real API, worker and dev server, is test/referral-code-revocation.test.ts.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventNotTaken, type EventResult } from '../../api/ingest.ts';
import { SUBMISSIONS_DIR, SubmissionQueue, referralPageWaitMsFromEnv } from '../../api/pages/submission-queue.ts';
import { DurableWriter } from '../../api/pages/durable-writer.ts';
import type { JourneyEvent } from '../../workflows/contract/index.ts';

const referral = (n: number): JourneyEvent => ({
  id: `referral-page:form-${n}`,
  type: 'referral.submitted',
  customerId: 'ada',
  occurredAt: '2026-12-03T10:00:00.000Z',
  data: { referralId: `rf_${n}`, referralCode: 'code', referredEmail: `friend-${n}@initech.example`, consent: true },
});

const accepted = (event: JourneyEvent): EventResult => ({
  id: event.id,
  status: 'accepted',
  duplicate: false,
  journeys: [{ journeyId: 'j', version: 1, workflowId: 'journey:j:ada', roles: ['actions'], outcome: 'signalled' }],
  customer: { workflowId: 'customer:ada', outcome: 'signalled' },
});

/** An ingest that throws EventNotTaken while `down` is true, and records every event it was given. */
function scriptedIngest() {
  const state = { down: false, calls: [] as JourneyEvent[] };
  const ingest = async (event: JourneyEvent): Promise<EventResult> => {
    state.calls.push(event);
    await new Promise((r) => setTimeout(r, 5));
    if (state.down) throw new EventNotTaken(event.id, 'Temporal did not take the event: unavailable');
    return accepted(event);
  };
  return { state, ingest };
}

const quiet = { warn: () => undefined, info: () => undefined };

describe('the referral page submission queue', () => {
  it('is on disk from put until ingest answers; one id in flight is sent once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'submissions-'));
    const { state, ingest } = scriptedIngest();
    const pending: number[] = [];
    const q = new SubmissionQueue({ dataDir, ingest, log: quiet, onPending: (n) => pending.push(n) });
    const e = referral(1);
    await q.put(e);
    expect(readdirSync(join(dataDir, SUBMISSIONS_DIR))).toHaveLength(1);
    const [a, b] = [q.send(e), q.send(e)];
    expect(a).toBe(b);
    await expect(a).resolves.toMatchObject({ status: 'accepted' });
    expect(state.calls).toHaveLength(1);
    // Removed by the writer's thread once answered; the gauge is told the folder's count after each of its batches.
    await expect.poll(() => readdirSync(join(dataDir, SUBMISSIONS_DIR)), { timeout: 2_000 }).toEqual([]);
    await expect.poll(() => pending, { timeout: 2_000 }).toEqual([1, 0]);
    await q.close();
  });

  it('keeps what Temporal did not take and sends it again, same event, until it is taken', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'submissions-'));
    const { state, ingest } = scriptedIngest();
    const q = new SubmissionQueue({ dataDir, ingest, log: quiet, retryMs: 50 });
    state.down = true;
    const e = referral(2);
    await q.put(e);
    await expect(q.send(e)).rejects.toBeInstanceOf(EventNotTaken);
    expect(q.waiting()).toHaveLength(1);
    state.down = false;
    await expect.poll(() => q.waiting().length, { timeout: 5_000 }).toBe(0);
    const sent = state.calls.filter((c) => c.id === e.id);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((c) => JSON.stringify(c) === JSON.stringify(e))).toBe(true);
    await q.close();
  });

  it('a process started on the folder sends what the last one left, each once, and a refused one leaves too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'submissions-'));
    const before = new SubmissionQueue({ dataDir, ingest: scriptedIngest().ingest, log: quiet });
    const left = [referral(3), referral(4)];
    for (const e of left) await before.put(e); // the process stops before sending them
    await before.close();
    // ...and one write it never finished (its page never answered): a temporary file, gone at the next start.
    const stale = join(dataDir, SUBMISSIONS_DIR, 'unfinished.json.1.tmp');
    writeFileSync(stale, '{"id":');
    utimesSync(stale, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));

    const state = { calls: [] as JourneyEvent[] };
    const after = new SubmissionQueue({
      dataDir,
      ingest: async (event) => {
        state.calls.push(event);
        // One of them is refused for good (invalid): retrying cannot fix it, so it leaves the queue too.
        return event.id === left[1].id
          ? { id: event.id, status: 'rejected', reason: 'invalid', errors: [{ pointer: '/data/referredEmail', message: 'bad' }] }
          : accepted(event);
      },
      log: quiet,
    });
    after.start();
    await expect.poll(() => after.waiting().length, { timeout: 5_000 }).toBe(0);
    expect(state.calls.map((c) => c.id).sort()).toEqual(left.map((e) => e.id).sort());
    expect(readdirSync(join(dataDir, SUBMISSIONS_DIR))).toEqual([]);
    await after.close();
  });

  it('an answer that comes before the write is done removes the file once it is written: none is left to send again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'submissions-'));
    const calls: JourneyEvent[] = [];
    // Temporal answers at once, before the write's fsyncs (on libuv's threads) can have finished.
    const q = new SubmissionQueue({ dataDir, ingest: async (event) => (calls.push(event), accepted(event)), log: quiet });
    const pending: number[] = [];
    const events = Array.from({ length: 20 }, (_, n) => referral(100 + n));
    const sent = events.map((e) => {
      const durable = q.put(e);
      return Promise.all([durable, q.send(e)]);
    });
    await Promise.all(sent);
    await expect.poll(() => readdirSync(join(dataDir, SUBMISSIONS_DIR)), { timeout: 2_000 }).toEqual([]);
    await q.close();
    // A new process on the folder finds nothing to send: each submission went to Temporal once.
    const after = new SubmissionQueue({
      dataDir,
      ingest: async (event) => (calls.push(event), accepted(event)),
      log: quiet,
      onPending: (n) => pending.push(n),
    });
    await after.drain();
    expect(calls).toHaveLength(20);
    expect(pending.at(-1)).toBe(0);
    await after.close();
  });

  it('the durable writer resolves once the file is in place, writes a burst together, and rejects with the reason when it cannot write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-'));
    const writer = new DurableWriter(dir);
    const files = Array.from({ length: 30 }, (_, n) => join(dir, `f${n}.json`));
    await Promise.all(files.map((f, n) => writer.write(`${f}.tmp`, f, JSON.stringify({ n }))));
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.slice(dir.length + 1)).sort());
    expect(JSON.parse(readFileSync(files[7], 'utf8'))).toEqual({ n: 7 });
    rmSync(dir, { recursive: true });
    await expect(writer.write(join(dir, 'x.tmp'), join(dir, 'x.json'), '{}')).rejects.toThrow(/ENOENT/);
    await writer.close();
    // A stopped writer refuses at once: a page never waits for a write that cannot happen.
    await expect(writer.write(join(dir, 'y.tmp'), join(dir, 'y.json'), '{}')).rejects.toThrow(/stopped/);
  });

  it('JOURNEY_REFERRAL_PAGE_WAIT_MS is whole milliseconds from 0 to 10000, named when it is not', () => {
    expect(referralPageWaitMsFromEnv({})).toBeUndefined();
    expect(referralPageWaitMsFromEnv({ JOURNEY_REFERRAL_PAGE_WAIT_MS: '0' })).toBe(0);
    expect(referralPageWaitMsFromEnv({ JOURNEY_REFERRAL_PAGE_WAIT_MS: '45' })).toBe(45);
    expect(() => referralPageWaitMsFromEnv({ JOURNEY_REFERRAL_PAGE_WAIT_MS: '2.5' })).toThrow(/JOURNEY_REFERRAL_PAGE_WAIT_MS/);
    expect(() => referralPageWaitMsFromEnv({ JOURNEY_REFERRAL_PAGE_WAIT_MS: '-1' })).toThrow(/JOURNEY_REFERRAL_PAGE_WAIT_MS/);
  });
});
