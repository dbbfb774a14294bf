// The API's own record of accepted events, for `journey backtest --events`: one NDJSON line per accepted event, in
// the API's event format exactly as accepted (so a backtest reads it as it reads an export). Off unless
// JOURNEY_EVENT_LOG names a folder (`npm start` turns it on under the data folder). The file in use is
// events.ndjson; when it passes JOURNEY_EVENT_LOG_MAX_BYTES it is renamed events-<time>.ndjson and a new one starts;
// the oldest rotated files beyond JOURNEY_EVENT_LOG_KEEP are removed. Lines are appended synchronously as each
// event is accepted, so a line is never half-written by two requests and the log is in acceptance order.
import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JourneyEvent } from '../workflows/contract/index.ts';

export interface EventLogOptions {
  dir: string;
  /** Rotate when the current file is at least this big (default 64 MiB). */
  maxBytes?: number;
  /** Rotated files kept (default 20); the current file is not counted. */
  keep?: number;
}

export class EventLog {
  private readonly file: string;
  private bytes: number;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(private readonly opts: EventLogOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.file = join(opts.dir, 'events.ndjson');
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.keep = opts.keep ?? 20;
    try {
      this.bytes = statSync(this.file).size;
    } catch {
      this.bytes = 0;
    }
  }

  append(event: JourneyEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    appendFileSync(this.file, line);
    this.bytes += Buffer.byteLength(line);
    if (this.bytes >= this.maxBytes) this.rotate();
  }

  /** The rotated files, oldest first, then the current one: the order to concatenate them in for a backtest. */
  files(): string[] {
    const rotated = readdirSync(this.opts.dir)
      .filter((n) => /^events-.*\.ndjson$/.test(n))
      .sort();
    return [...rotated.map((n) => join(this.opts.dir, n)), this.file];
  }

  private rotate(): void {
    const stamp = new Date().toISOString().replace(/:/g, '-');
    renameSync(this.file, join(this.opts.dir, `events-${stamp}.ndjson`));
    this.bytes = 0;
    const rotated = this.files().slice(0, -1);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.keep))) rmSync(old, { force: true });
  }
}

/** The log JOURNEY_EVENT_LOG asks for, or undefined (off); a bad size or count stops the API with the variable's name. */
export function eventLogFromEnv(env: NodeJS.ProcessEnv): EventLog | undefined {
  const dir = env.JOURNEY_EVENT_LOG;
  if (!dir) return undefined;
  const whole = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${JSON.stringify(raw)} must be a positive whole number`);
    return n;
  };
  return new EventLog({ dir, maxBytes: whole('JOURNEY_EVENT_LOG_MAX_BYTES'), keep: whole('JOURNEY_EVENT_LOG_KEEP') });
}
