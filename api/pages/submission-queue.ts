// Referral submissions the page has answered before Temporal took them. The page waits for Temporal only so long
// (JOURNEY_REFERRAL_PAGE_WAIT_MS, default 30 ms): a friend's form is never held behind a slow server. So nothing the
// page answered can be lost, every submission is written here while it is sent, and the page thanks only once it is
// here or Temporal has it: one file per event under <dataDir>/referral-submissions/ (written to a temporary name,
// fsynced, renamed, the folder fsynced, in a thread of its own: durable-writer.ts; a file is whole or absent, and
// there after a power cut), removed once ingest has answered it (taken, or refused for good). What is still here
// (Temporal was slow or down, or the process stopped) is sent again by the drain: at start, then every RETRY_MS while
// anything waits, with the same event id, so Temporal's runs take it once whatever the number of tries. Operators see
// the count as the gauge journey_api_referral_submissions_pending and a warning in the log while it is not zero.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { JourneyEvent } from '../../workflows/contract/index.ts';
import type { EventResult } from '../ingest.ts';
import { DurableWriter } from './durable-writer.ts';

export const SUBMISSIONS_DIR = 'referral-submissions';
export const DEFAULT_WAIT_MS = 30;

/** JOURNEY_REFERRAL_PAGE_WAIT_MS: milliseconds, 0 to 10,000; unset: the default. */
export function referralPageWaitMsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.JOURNEY_REFERRAL_PAGE_WAIT_MS;
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 10_000)
    throw new Error(`JOURNEY_REFERRAL_PAGE_WAIT_MS must be a whole number of milliseconds from 0 to 10000, not "${raw}"`);
  return ms;
}
const RETRY_MS = 15_000;
const MAX_RETRY_MS = 5 * 60_000;
const STALE_TMP_MS = 60_000;

export interface SubmissionQueueOptions {
  dataDir: string;
  /** Sends one event (api/ingest.ts EventIngest.ingest): resolves with its answer, rejects when Temporal did not take it. */
  ingest: (event: JourneyEvent) => Promise<EventResult>;
  log: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void };
  /** Called with the count of waiting submissions whenever it changes. */
  onPending?: (count: number) => void;
  retryMs?: number;
}

export class SubmissionQueue {
  private readonly dir: string;
  /** Submissions being sent now (by the page's request or the drain): never sent twice at once. */
  private readonly inFlight = new Map<string, Promise<EventResult>>();
  /** Writes under way, by event id: an answer that comes before its write is done removes the file only after it. */
  private readonly writing = new Map<string, Promise<void>>();
  private tmpSeq = 0;
  /** Removals of answered submissions under way (the writer's thread unlinks them). */
  private readonly removing = new Set<Promise<void>>();
  private readonly writer: DurableWriter;
  private timer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private closed = false;

  constructor(private readonly opts: SubmissionQueueOptions) {
    this.dir = join(opts.dataDir, SUBMISSIONS_DIR);
    mkdirSync(this.dir, { recursive: true });
    // The folder's count, not this process's: API processes sharing the folder (the cluster) all write and send here.
    this.writer = new DurableWriter(this.dir, { suffix: '.json', onCount: (n) => this.opts.onPending?.(n) });
    this.retryMs = opts.retryMs ?? RETRY_MS;
  }

  /**
   * Writes the submission durably: resolved once the file and its name are on disk (durable-writer.ts: a thread of
   * its own, so the event loop serves other requests meanwhile, and the caller may send the event while it is
   * written). Writing one already here again changes nothing.
   */
  put(event: JourneyEvent): Promise<void> {
    const file = this.fileOf(event.id);
    const write = this.writer.write(`${file}.${process.pid}-${++this.tmpSeq}.tmp`, file, JSON.stringify(event));
    this.writing.set(event.id, write);
    const done = () => this.writing.get(event.id) === write && this.writing.delete(event.id);
    write.then(done, done);
    return write;
  }

  /**
   * Sends the submission (once at a time per event id) and removes it when ingest answers. A Temporal failure keeps
   * it for the drain, which retries it; the returned promise still rejects, for the page to know.
   */
  send(event: JourneyEvent): Promise<EventResult> {
    const running = this.inFlight.get(event.id);
    if (running) return running;
    const sending = this.opts.ingest(event).then(
      (result) => {
        // Answered: the file goes, once it is written when the answer came first (the answer is not held for it).
        const written = this.writing.get(event.id);
        const forget = () => this.forget(event.id);
        if (written) void written.then(forget, forget);
        else forget();
        if (result.status === 'accepted' && !result.journeys.some((j) => j.outcome !== 'not-routed'))
          this.opts.log.info({ eventId: event.id }, 'referral submission reached no open run of its journey');
        return result;
      },
      (err: unknown) => {
        this.schedule();
        throw err;
      },
    );
    this.inFlight.set(event.id, sending);
    void sending.catch(() => undefined).finally(() => this.inFlight.delete(event.id));
    return sending;
  }

  /** Sends every waiting submission not already on its way: at start, and on the retry timer. */
  async drain(): Promise<void> {
    const waiting = this.waiting();
    if (waiting.length > 0) this.opts.log.warn({ waiting: waiting.length }, 'referral submissions waiting for Temporal: sending them');
    let failed = 0;
    for (const file of waiting) {
      if (this.closed) return;
      let event: JourneyEvent;
      try {
        event = JSON.parse(readFileSync(file, 'utf8')) as JourneyEvent;
      } catch {
        continue; // removed meanwhile (its request's send answered)
      }
      try {
        await this.send(event);
      } catch {
        failed++;
      }
    }
    await Promise.all(this.removing); // what was answered is gone before the folder is counted again
    if (failed === 0) this.retryMs = this.opts.retryMs ?? RETRY_MS;
    else this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.report();
  }

  /** Starts the drain (anything left by an earlier process goes first). A temporary file older than a minute is a
   *  write a stopped process never finished: its page never answered, so it goes. */
  start(): void {
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.tmp'))) {
      const file = join(this.dir, name);
      try {
        if (Date.now() - statSync(file).mtimeMs > STALE_TMP_MS) rmSync(file, { force: true });
      } catch {
        // renamed or removed meanwhile
      }
    }
    void this.drain().finally(() => this.waiting().length > 0 && this.schedule());
  }

  /** Stops the retries; resolves once the writes under way are done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writer.close();
  }

  /** The paths of the waiting submissions' files. */
  waiting(): string[] {
    return readdirSync(this.dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => join(this.dir, n));
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain().finally(() => this.waiting().length > 0 && this.schedule());
    }, this.retryMs);
    this.timer.unref();
  }

  private forget(id: string): void {
    const removal = this.writer
      .remove(this.fileOf(id))
      .catch((err: Error) => this.opts.log.warn({ err: err.message }, 'referral submission file not removed'))
      .finally(() => this.removing.delete(removal));
    this.removing.add(removal);
  }

  private report(): void {
    // The folder's count, not this process's: API processes sharing the folder (the cluster) all write and send here.
    this.opts.onPending?.(this.waiting().length);
  }

  private fileOf(id: string): string {
    return join(this.dir, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.json`);
  }
}
