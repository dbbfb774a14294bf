// While the worker runs, Temporal may stop accepting its credentials: an API key that expires or is revoked, a client
// certificate withdrawn, a permission taken away. Its polls then fail, and the SDK's core tries them again without a
// line at its default log level (measured against Temporal's own server: a key that expired 20 s after start, and
// the worker silent for the 90 s watched, its runs not moving). The watch repeats the start's access check
// (checkNamespaceAccess: one signal to a workflow id no run has) every JOURNEY_WORKER_ACCESS_CHECK_S and says what it
// finds: an error line while refused, at most once a minute, and one line when the credentials are accepted again.
import { TemporalRefusedError } from './temporal-connect.ts';

export interface AccessWatchOptions {
  /** The access check; throws TemporalRefusedError when refused, anything else when Temporal did not answer. */
  check: () => Promise<void>;
  intervalMs: number;
  log: (line: string) => void;
  /** How often a refusal that lasts is said again. */
  repeatMs?: number;
  now?: () => number;
}

export class AccessWatch {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private refusedSince: number | undefined;
  private saidAt = -Infinity;

  constructor(private readonly opts: AccessWatchOptions) {}

  start(): this {
    if (this.opts.intervalMs > 0) {
      this.timer = setInterval(() => void this.checkOnce(), this.opts.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One check (the interval's; tests call it directly). Overlapping calls are skipped. */
  async checkOnce(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    const now = this.opts.now ?? Date.now;
    try {
      await this.opts.check();
      if (this.refusedSince !== undefined) {
        this.opts.log(`Temporal accepts this worker's credentials again (refused for ${Math.round((now() - this.refusedSince) / 1000)} s)`);
        this.refusedSince = undefined;
        this.saidAt = -Infinity;
      }
    } catch (err) {
      if (!(err instanceof TemporalRefusedError)) return; // Temporal not answering: the SDK's own retries, not ours
      this.refusedSince ??= now();
      if (now() - this.saidAt < (this.opts.repeatMs ?? 60_000)) return;
      this.saidAt = now();
      this.opts.log(`${err.message}; this worker takes no task until that is fixed (checked every ${this.opts.intervalMs / 1000} s)`);
    } finally {
      this.checking = false;
    }
  }
}
