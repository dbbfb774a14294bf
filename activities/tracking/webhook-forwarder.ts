// The tracking webhook sink, fed from the NDJSON log rather than from the journey: journeys only append to the log
// (the durable record), and this forwarder, running beside the worker, posts each logged record to
// JOURNEY_TRACKING_WEBHOOK_URL with its key as Idempotency-Key (and an HMAC signature when a secret is set). An
// analytics outage therefore never holds a journey: records wait in the log, the forwarder backs off and resumes
// where it stopped. The log is every *.ndjson file of the tracking folder (one per worker process, log-files.ts);
// each file has its own byte cursor (tracking/webhook/cursors.json, saved after every delivered record) and is
// posted in its order. Only complete lines are read, so a line still being written, or a torn one its owner will
// cut off, is never sent. A record is delivered at least once and the receiver drops a repeated key (two processes
// can log one key in a race; this forwarder also skips keys it delivered recently). Of several workers sharing a
// folder, one forwarder sends at a time (forwarder-lease.ts). A record the receiver refuses
// for good (a 4xx other than 408/409/425/429), or that cannot be sent at all, is set aside in tracking/webhook/rejected.jsonl for an operator and the
// forwarder moves on; it never retries a refusal forever nor drops one silently.
import { readFile, appendFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listLogFiles, readCompleteLines, trackingDir } from './log-files.ts';
import { ForwarderLease } from './forwarder-lease.ts';
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

const RECENT_KEYS = 10_000;
// Records are a few hundred bytes; a pass reads a file up to 1 MiB at a time.
const READ_BYTES = 1 << 20;

export class TrackingWebhookForwarder {
  private readonly dir: string;
  private readonly stateDir: string;
  private readonly cursorFile: string;
  private readonly rejectedFile: string;
  private readonly recent = new Set<string>();
  private readonly lease: ForwarderLease;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly opts: TrackingForwarderOptions) {
    this.dir = trackingDir(opts.dataDir);
    this.stateDir = join(this.dir, 'webhook');
    this.cursorFile = join(this.stateDir, 'cursors.json');
    this.rejectedFile = join(this.stateDir, 'rejected.jsonl');
    this.lease = new ForwarderLease(join(this.stateDir, 'lease.json'));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the delivery in flight (bounded by its timeout), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.loop) await this.lease.release().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const first = Math.min(1000, this.opts.maxBackoffMs ?? 300_000);
    let backoff = first;
    while (!this.stopped) {
      let pass: ForwardPass;
      try {
        // Another worker's forwarder sends this folder's records while it holds the lease: wait for it to lapse.
        if (!(await this.lease.hold())) {
          await this.pause(this.opts.pollMs ?? 1000);
          continue;
        }
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

  /** One pass: posts every complete line after each file's cursor, in file order, until the logs end or a delivery fails. */
  async forwardPending(): Promise<ForwardPass> {
    const pass: ForwardPass = { delivered: 0, rejected: 0 };
    const cursors = await this.readCursors();
    for (const name of await listLogFiles(this.dir)) {
      const file = join(this.dir, name);
      // A log an operator replaced by a shorter one starts over (the receiver drops keys it has).
      const size = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      if ((cursors[name] ?? 0) > size) cursors[name] = 0;
      for (;;) {
        const lines: { text: string; end: number }[] = [];
        await readCompleteLines(file, cursors[name] ?? 0, (text, end) => lines.push({ text, end }), { maxBytes: READ_BYTES });
        if (lines.length === 0) break;
        for (const { text, end } of lines) {
          if (this.stopped) return pass;
          if (text.trim()) {
            const outcome = await this.deliverOnce(text);
            if (outcome.kind === 'retry') return { ...pass, retryable: outcome.reason };
            if (outcome.kind === 'rejected') {
              pass.rejected++;
              await this.setAside(outcome, text);
            } else if (outcome.kind === 'ok') pass.delivered++;
          }
          cursors[name] = end;
          await this.writeCursors(cursors);
        }
      }
    }
    return pass;
  }

  private async setAside(outcome: { status: number; answer: string }, text: string): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    await appendFile(
      this.rejectedFile,
      `${JSON.stringify({ at: new Date().toISOString(), status: outcome.status, answer: outcome.answer, record: text })}\n`,
    );
    this.opts.log?.(`tracking webhook refused a record for good (${outcome.status}); set aside in ${this.rejectedFile}`);
  }

  /** Delivers a line unless its key went out recently (a key two processes both logged). */
  private async deliverOnce(
    line: string,
  ): Promise<{ kind: 'ok' | 'repeat' } | { kind: 'retry'; reason: string } | { kind: 'rejected'; status: number; answer: string }> {
    let key: string | undefined;
    try {
      key = (JSON.parse(line) as { key?: string }).key;
    } catch {
      return { kind: 'rejected', status: 0, answer: 'not a JSON line in the tracking log' };
    }
    if (key && this.recent.has(key)) return { kind: 'repeat' };
    const outcome = await this.deliver(line, key);
    if (outcome.kind === 'ok' && key) {
      this.recent.add(key);
      if (this.recent.size > RECENT_KEYS) this.recent.delete(this.recent.values().next().value!);
    }
    return outcome;
  }

  private async deliver(
    line: string,
    key: string | undefined,
  ): Promise<{ kind: 'ok' } | { kind: 'retry'; reason: string } | { kind: 'rejected'; status: number; answer: string }> {
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

  /** Byte cursors per log file; a cursor from before per-file logs (webhook-cursor.json) applies to events.ndjson. */
  private async readCursors(): Promise<Record<string, number>> {
    const valid = (o: unknown): o is number => Number.isInteger(o) && (o as number) >= 0;
    try {
      const { files } = JSON.parse(await readFile(this.cursorFile, 'utf8')) as { files?: Record<string, unknown> };
      return Object.fromEntries(Object.entries(files ?? {}).filter((e): e is [string, number] => valid(e[1])));
    } catch {
      try {
        const { offset } = JSON.parse(await readFile(join(this.dir, 'webhook-cursor.json'), 'utf8')) as { offset?: unknown };
        return valid(offset) ? { 'events.ndjson': offset } : {};
      } catch {
        return {};
      }
    }
  }

  private async writeCursors(cursors: Record<string, number>): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    await writeFile(`${this.cursorFile}.tmp`, JSON.stringify({ files: cursors }));
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
