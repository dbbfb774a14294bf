// Fixed-window rate limits of the public pages (per IP, per referral code, per owner-task link), in the API process's memory: enough
// against a script hammering one API process (each process counts alone, so N processes allow N times the limit;
// a shared limit belongs in the load balancer). The map is bounded: expired windows are swept, and beyond
// `maxKeys` the oldest entries go first, so a flood of distinct IPs cannot grow it without end.
import { durationMs } from '../../definitions/duration.ts';

export interface RateLimitRule {
  max: number;
  windowMs: number;
  /** Named in the 429 answer, e.g. "per IP". */
  name: string;
  /** What is counted, named in the 429 answer (default "submissions"). */
  unit?: string;
}

export interface RateVerdict {
  allowed: boolean;
  /** Seconds until the window resets (Retry-After). */
  retryAfter: number;
  limit: RateLimitRule;
}

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly rule: RateLimitRule,
    private readonly maxKeys = 50_000,
  ) {}

  /** Counts one hit for `key` and says whether it is within the limit. */
  hit(key: string, nowMs: number = Date.now()): RateVerdict {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= nowMs) {
      if (w) this.windows.delete(key);
      w = { count: 0, resetAt: nowMs + this.rule.windowMs };
      this.windows.set(key, w);
      this.trim(nowMs);
    }
    w.count++;
    return { allowed: w.count <= this.rule.max, retryAfter: Math.max(1, Math.ceil((w.resetAt - nowMs) / 1000)), limit: this.rule };
  }

  get size() {
    return this.windows.size;
  }

  private trim(nowMs: number) {
    if (this.windows.size <= this.maxKeys) return;
    for (const [k, w] of this.windows) if (w.resetAt <= nowMs) this.windows.delete(k);
    // Map iteration is insertion order: the oldest windows go first.
    for (const k of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}

/** "10 submissions per hour per IP address" for the 429 message. */
export function describeLimit(rule: RateLimitRule): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  const [ms, unit] = units.find(([ms]) => rule.windowMs % ms === 0) ?? [1000, 'second'];
  const n = rule.windowMs / ms;
  return `${rule.max} ${rule.unit ?? 'submissions'} per ${n === 1 ? unit : `${n} ${unit}s`} ${rule.name}`;
}

/** A limit as definitions/pages.json states it; a field left out takes the page's default. */
export interface ConfiguredLimit {
  max?: number;
  window?: string;
}

/** The limiter for one configured limit of a page: `max` its default, the window one hour unless configured. */
export function limiterFor(configured: ConfiguredLimit | undefined, rule: { name: string; unit?: string; max: number }): RateLimiter {
  return new RateLimiter({ ...rule, max: configured?.max ?? rule.max, windowMs: durationMs(configured?.window ?? 'PT1H') });
}

/** The 429 page's sentence: which limit, and when to try again. */
export function limitReachedMessage(verdict: RateVerdict): string {
  return `Rate limit reached: ${describeLimit(verdict.limit)}. Please try again in ${verdict.retryAfter} seconds.`;
}
