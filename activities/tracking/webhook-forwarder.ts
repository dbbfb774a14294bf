// The tracking webhook sink, fed from the NDJSON log rather than from the journey: recordTracking only appends
// to the log (the durable record), and this forwarder, running beside the worker, posts each logged record to
// JOURNEY_TRACKING_WEBHOOK_URL in order, with its key as Idempotency-Key (and an HMAC signature when a secret is
// set). An analytics outage therefore never holds a journey at Track: records wait in the log, the forwarder
// backs off and resumes where it stopped (a byte cursor beside the log, saved after every delivered record),
// so a record is delivered at least once and the key lets the receiver drop a repeat. A record the receiver
// refuses for good (a 4xx other than 408/409/425/429) or that cannot be sent at all is set aside in webhook-rejected.ndjson for an operator and the
// forwarder moves on; it never retries a refusal forever nor drops one silently.
import { open, readFile, appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { trackingLogPath } from './ndjson-log.ts';
import { ApplicationFailure } from '@temporalio/common';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signRewardPayload } from '../rewards/signature.ts';
import { fetchFailure, headerSafeKey, isRetryableStatus } from '../failures.ts';

export interface TrackingForwarderOptions {
  dataDir: string;
  url: string;
  /** Signs each body like the reward webhook (HMAC-SHA256 over `<timestamp>.<body>`). */
  secret?: string;
  /** Between passes when the log has nothing new (default 1 s). */
  pollMs?: number;
  /** Longest wait after a failed delivery; doubles from 1 s up to this (default 5 minutes). */
  maxBackoffMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ForwardPass {
  delivered: number;
  rejected: number;
  /** Set when a delivery failed and will be retried: the record stays next in line. */
  retryable?: string;
}

// Records are a few hundred bytes; a pass reads up to 1 MiB of the log at a time.
const READ_CHUNK = 1 << 20;

export class TrackingWebhookForwarder {
  private readonly logFile: string;
  private readonly cursorFile: string;
  private readonly rejectedFile: string;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly opts: TrackingForwarderOptions) {
    this.logFile = trackingLogPath(opts.dataDir);
    this.cursorFile = join(dirname(this.logFile), 'webhook-cursor.json');
    this.rejectedFile = join(dirname(this.logFile), 'webhook-rejected.ndjson');
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the delivery in flight (bounded by its timeout), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const first = Math.min(1000, this.opts.maxBackoffMs ?? 300_000);
    let backoff = first;
    while (!this.stopped) {
      let pass: ForwardPass;
      try {
        pass = await this.forwardPending();
      } catch (err) {
        pass = { delivered: 0, rejected: 0, retryable: (err as Error).message };
      }
      if (pass.retryable) {
        this.opts.log?.(`tracking webhook: ${pass.retryable}; retrying in ${Math.round(backoff / 1000)}s (records wait in the log)`);
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 300_000);
      } else {
        backoff = first;
        await this.pause(this.opts.pollMs ?? 1000);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** One pass: posts every complete line after the cursor, in order, until the log ends or a delivery fails. */
  async forwardPending(): Promise<ForwardPass> {
    const pass: ForwardPass = { delivered: 0, rejected: 0 };
    let offset = await this.readCursor();
    for (;;) {
      const lines = await this.readLinesFrom(offset);
      if (lines.length === 0) return pass;
      for (const { text, end } of lines) {
        if (this.stopped) return pass;
        const outcome = await this.deliver(text);
        if (outcome.kind === 'retry') return { ...pass, retryable: outcome.reason };
        if (outcome.kind === 'rejected') {
          pass.rejected++;
          await mkdir(dirname(this.rejectedFile), { recursive: true });
          await appendFile(
            this.rejectedFile,
            `${JSON.stringify({ at: new Date().toISOString(), status: outcome.status, answer: outcome.answer, record: text })}\n`,
          );
          this.opts.log?.(`tracking webhook refused a record for good (${outcome.status}); set aside in ${this.rejectedFile}`);
        } else {
          pass.delivered++;
        }
        offset = end;
        await this.writeCursor(offset);
      }
    }
  }

  private async deliver(
    line: string,
  ): Promise<{ kind: 'ok' } | { kind: 'retry'; reason: string } | { kind: 'rejected'; status: number; answer: string }> {
    let key: string | undefined;
    try {
      key = (JSON.parse(line) as { key?: string }).key;
    } catch {
      return { kind: 'rejected', status: 0, answer: 'not a JSON line in the tracking log' };
    }
    const timestamp = String(Math.floor(Date.now() / 1000));
    // Keys hold ids and event types from outside (any Unicode, even CR/LF): percent-encoded into a header value
    // (one-to-one, safe keys unchanged), or fetch would throw on every attempt and the forwarder stall on this record.
    const headers: Record<string, string> = { 'content-type': 'application/json', [IDEMPOTENCY_HEADER]: headerSafeKey(String(key ?? '')) };
    if (this.opts.secret) {
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signRewardPayload(this.opts.secret, timestamp, line);
    }
    let res: Response;
    try {
      res = await fetch(this.opts.url, { method: 'POST', headers, body: line, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
    } catch (err) {
      const failure = fetchFailure(err, 'tracking webhook');
      // A request that cannot be built is the same on every pass: set it aside for an operator, never retry it for ever.
      if (failure instanceof ApplicationFailure) return { kind: 'rejected', status: 0, answer: failure.message };
      return { kind: 'retry', reason: failure.message };
    }
    const answer = (await res.text().catch(() => '')).slice(0, 300);
    if (res.ok || res.status === 409) return { kind: 'ok' };
    if (isRetryableStatus(res.status)) return { kind: 'retry', reason: `answered ${res.status}` };
    return { kind: 'rejected', status: res.status, answer };
  }

  /** Complete lines (ending in \n) from `offset`; a line still being written waits for the next pass. */
  private async readLinesFrom(offset: number): Promise<{ text: string; end: number }[]> {
    let handle;
    try {
      handle = await open(this.logFile, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const buf = Buffer.alloc(READ_CHUNK);
      const { bytesRead } = await handle.read(buf, 0, READ_CHUNK, offset);
      const chunk = buf.subarray(0, bytesRead);
      const out: { text: string; end: number }[] = [];
      let start = 0;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
        const text = chunk.subarray(start, i).toString('utf8');
        start = i + 1;
        if (text.trim()) out.push({ text, end: offset + start });
      }
      if (out.length === 0 && start > 0) return this.readLinesFrom(offset + start); // only blank lines so far
      return out;
    } finally {
      await handle.close();
    }
  }

  private async readCursor(): Promise<number> {
    try {
      const { offset } = JSON.parse(await readFile(this.cursorFile, 'utf8')) as { offset?: number };
      return Number.isInteger(offset) && offset! >= 0 ? offset! : 0;
    } catch {
      return 0;
    }
  }

  private async writeCursor(offset: number): Promise<void> {
    await writeFile(`${this.cursorFile}.tmp`, JSON.stringify({ offset }));
    await rename(`${this.cursorFile}.tmp`, this.cursorFile);
  }
}

/** The forwarder JOURNEY_TRACKING_WEBHOOK_URL asks for (+ optional JOURNEY_TRACKING_WEBHOOK_SECRET), or none. */
export function trackingForwarderFromEnv(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): TrackingWebhookForwarder | undefined {
  const url = env.JOURNEY_TRACKING_WEBHOOK_URL;
  if (!url) return undefined;
  return new TrackingWebhookForwarder({ dataDir, url, secret: env.JOURNEY_TRACKING_WEBHOOK_SECRET || undefined, log });
}
