// Referral submissions the page has answered before Temporal took them. The page waits for Temporal only so long
// (JOURNEY_REFERRAL_PAGE_WAIT_MS, default 30 ms): a friend's form is never held behind a slow server. So nothing the
// page answered can be lost, every submission is written here first, one file per event under
// <dataDir>/referral-submissions/ (written to a temporary name, fsynced, renamed: a file is whole or absent), and
// removed once ingest has answered it (taken, or refused for good). What is still here (Temporal was slow or down, or
// the process stopped) is sent again by the drain: at start, then every RETRY_MS while anything waits, with the same
// event id, so Temporal's runs take it once whatever the number of tries. Operators see the count as the gauge
// journey_api_referral_submissions_pending and a warning in the log while it is not zero.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, openSync, writeSync, fsyncSync, closeSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { JourneyEvent } from '../../workflows/contract/index.ts';
import type { EventResult } from '../ingest.ts';

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
  private timer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private closed = false;

  constructor(private readonly opts: SubmissionQueueOptions) {
    this.dir = join(opts.dataDir, SUBMISSIONS_DIR);
    mkdirSync(this.dir, { recursive: true });
    this.retryMs = opts.retryMs ?? RETRY_MS;
  }

  /** Writes the submission durably (before the page answers). Writing one already here again changes nothing. */
  put(event: JourneyEvent): void {
    const file = this.fileOf(event.id);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(event));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.report();
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
        this.forget(event.id);
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
    for (const name of waiting) {
      if (this.closed) return;
      let event: JourneyEvent;
      try {
        event = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as JourneyEvent;
      } catch {
        continue; // removed meanwhile (its request's send answered)
      }
      try {
        await this.send(event);
      } catch {
        failed++;
      }
    }
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

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The file names of the waiting submissions. */
  waiting(): string[] {
    return readdirSync(this.dir).filter((n) => n.endsWith('.json'));
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
    rmSync(this.fileOf(id), { force: true });
    this.report();
  }

  private report(): void {
    this.opts.onPending?.(this.waiting().length);
  }

  private fileOf(id: string): string {
    return join(this.dir, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.json`);
  }
}
