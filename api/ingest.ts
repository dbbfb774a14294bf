// Taking events exactly once: check against the catalog, then route; the answer is kept by event id so a retry
// (or a concurrent duplicate, which shares the in-flight promise) gets the same answer without a second effect.
// The workflows also drop event ids they have seen, which covers retries after an API restart.
import type { JourneyEvent, CustomerProfileDefaults } from '../workflows/contract/index.ts';
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PlanRegistry } from './registry.ts';
import { routeEvent, type CustomerDelivery, type JourneyDelivery } from './routing.ts';
import { AnswerCache, AnswerPacker } from './answer-pack.ts';

export interface EventProblem {
  /** JSON pointer (RFC 6901) into the event. */
  pointer: string;
  message: string;
  expected?: string;
  suggestion?: string;
}
/** Checks one candidate event (already known to be an object) against the event catalog; [] when it is valid. */
export type EventValidator = (event: JourneyEvent) => EventProblem[];

/** What ingest answers: taken (now or before), or refused for good. Not taking it for now is thrown (EventNotTaken). */
export type EventResult =
  | { id: string; status: 'accepted'; duplicate: boolean; journeys: JourneyDelivery[]; customer: CustomerDelivery }
  | { id: string | null; status: 'rejected'; reason: 'invalid' | 'conflict'; errors: EventProblem[] };

/** A batch item the engine could not take this time (its own answer inside a batch; a single event is a 503). */
export type EventNotTakenResult = { id: string; status: 'failed'; retryable: true; error: string };

/**
 * Temporal did not take the event (unreachable, deadline passed, overloaded). Thrown, never returned: a caller
 * that forgets it cannot answer 2xx by accident; the API's error handler turns it into 503 (statusCode), so the
 * sender (a backend, Postmark) sends it again with the same id.
 */
export class EventNotTaken extends Error {
  readonly statusCode = 503;
  readonly code = 'temporal_unavailable';
  constructor(
    readonly eventId: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventNotTaken';
  }
  asResult(): EventNotTakenResult {
    return { id: this.eventId, status: 'failed', retryable: true, error: this.message };
  }
}

export interface IngestOptions {
  client: Client;
  taskQueue: string;
  /** Where customer:<id> runs; default: taskQueue. */
  customerTaskQueue?: string;
  registry: PlanRegistry;
  validate: EventValidator;
  /** Start input of a customer workflow started by an event (the loaded contact policy). */
  customerDefaults?: CustomerProfileDefaults;
  /** The secret referral codes are minted and resolved with (api/referral-code.ts); default: the dev secret. */
  referralCodeSecret?: string;
  /**
   * How many answers to remember for retries (oldest forgotten first; DEFAULT_ANSWER_CACHE_SIZE). A retry of a
   * remembered event gets its answer with `duplicate: true` and costs Temporal nothing; a retry of a forgotten one is
   * routed again, and the runs drop the id they have already taken, so it still has one effect. Kept packed once
   * accepted (api/answer-pack.ts): about 320 bytes each for the scale mix, so 100,000 is about 31 MB (160 MB as objects:
   * bench/answer-cache.ts).
   */
  answerCacheSize?: number;
  /**
   * Longest time routing one event may take before the answer is 503 (default 10 s): with Temporal down the SDK
   * would retry for about a minute while the caller waits. An event whose signal landed just before the deadline
   * is still taken once: the client's retry carries the same id, and the workflows drop ids they have seen.
   */
  routeTimeoutMs?: number;
  /** Writes the tracking records the API owns (api/tracked-events.ts: a tracked catalog event, an NPS answer no run of
   *  a journey heard) before the event is accepted. */
  recordTracked?(event: JourneyEvent, journeyIds: readonly string[], deliveries: readonly JourneyDelivery[]): Promise<void>;
  onAccepted?(event: JourneyEvent, journeys: readonly JourneyDelivery[]): void;
  onRejected?(type: string, reason: string): void;
  onTemporalError?(operation: string, err: unknown): void;
}

/** Key-order independent JSON, so a retry that reorders fields is still the same event. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * One lane per customer: that customer's events are routed one after the other, in the order they came, while
 * different customers' events go at once. A run started by one event then reads the customer's facts after the
 * customer's workflow took every earlier event, also one that no journey run was open for (api/routing.ts).
 */
export class CustomerLanes {
  private readonly tails = new Map<string, Promise<void>>();
  run<T>(customerId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(customerId) ?? Promise.resolve();
    const result = before.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(customerId, tail);
    void tail.then(() => {
      if (this.tails.get(customerId) === tail) this.tails.delete(customerId);
    });
    return result;
  }
  get busy(): number {
    return this.tails.size;
  }
}

export type AcceptedListener = (event: JourneyEvent, journeys: readonly JourneyDelivery[]) => void;

export const DEFAULT_ANSWER_CACHE_SIZE = 100_000;

export class EventIngest {
  private readonly answers: AnswerCache<EventResult>;
  private readonly acceptedListeners: AcceptedListener[] = [];
  private readonly lanes = new CustomerLanes();

  constructor(private readonly opts: IngestOptions) {
    this.answers = new AnswerCache(
      opts.answerCacheSize ?? DEFAULT_ANSWER_CACHE_SIZE,
      new AnswerPacker(opts.registry.current().map((p) => p.journeyId)),
    );
  }

  /** Called for each event once it is accepted (not for duplicates), after onAccepted; a listener must not throw. */
  whenAccepted(listener: AcceptedListener): void {
    this.acceptedListeners.push(listener);
  }

  async ingest(event: JourneyEvent): Promise<EventResult> {
    const problems = this.opts.validate(event);
    if (problems.length > 0) {
      this.opts.onRejected?.(event.type, 'invalid');
      return { id: event.id ?? null, status: 'rejected', reason: 'invalid', errors: problems };
    }
    const fingerprint = createHash('sha256')
      .update(canonical({ ...event, id: undefined }))
      .digest('base64');
    const cached = this.answers.get(event.id);
    if (cached) {
      if (cached.fingerprint !== fingerprint) {
        this.opts.onRejected?.(event.type, 'conflict');
        return {
          id: event.id,
          status: 'rejected',
          reason: 'conflict',
          errors: [
            {
              pointer: '/id',
              message: `event id "${event.id}" was already taken for a different event`,
              suggestion: 'give each distinct event its own id',
            },
          ],
        };
      }
      const answer = await cached.answer();
      return answer.status === 'accepted' ? { ...answer, duplicate: true } : answer;
    }
    const answer = this.route(event);
    this.answers.routing(event.id, fingerprint, answer);
    try {
      const result = await answer;
      this.answers.accepted(event.id, answer, result);
      return result;
    } catch (err) {
      // A failure is not an answer: forget it so the client's retry routes the event again.
      this.answers.failed(event.id, answer);
      throw err;
    }
  }

  private async route(taken: JourneyEvent): Promise<EventResult> {
    const { client, taskQueue, registry } = this.opts;
    // When the fact reached the engine, for the windows the runs measure (a retry after a 503 stamps its own time:
    // Temporal took none before it). Outside the fingerprint above, so a retry is never a conflict.
    const event: JourneyEvent = { ...taken, receivedAt: new Date().toISOString() };
    try {
      const secret = this.opts.referralCodeSecret;
      const { journeys, customer } = await this.lanes.run(event.customerId, () => {
        const deadline = Date.now() + (this.opts.routeTimeoutMs ?? 10_000);
        return client.connection.withDeadline(deadline, () =>
          routeEvent(client, taskQueue, event, registry.current(), {
            referralCodeSecret: secret,
            customerDefaults: this.opts.customerDefaults,
            customerTaskQueue: this.opts.customerTaskQueue,
          }),
        );
      });
      // Written before the answer: an accepted tracked event is never missing from the report. If the write
      // fails, the answer is 503 and the client's retry writes it (once: the record's key is the event id).
      try {
        await this.opts.recordTracked?.(
          event,
          registry.current().map((p) => p.journeyId),
          journeys,
        );
      } catch (err) {
        this.opts.onTemporalError?.('recordTrackedEvent', err);
        throw new EventNotTaken(event.id, `the tracking log did not take the event: ${(err as Error).message}`);
      }
      this.opts.onAccepted?.(event, journeys);
      for (const listener of this.acceptedListeners) listener(event, journeys);
      return { id: event.id, status: 'accepted', duplicate: false, journeys, customer };
    } catch (err) {
      if (err instanceof EventNotTaken) throw err;
      this.opts.onTemporalError?.('routeEvent', err);
      this.opts.onRejected?.(event.type, 'temporal');
      throw new EventNotTaken(event.id, `Temporal did not take the event: ${(err as Error).message}`);
    }
  }
}

/** A bounded count of events being routed: beyond it the API answers 429 instead of queueing without end. */
export class InFlightLimit {
  private inFlight = 0;
  constructor(readonly max: number) {}
  tryAcquire(n: number): boolean {
    if (this.inFlight + n > this.max) return false;
    this.inFlight += n;
    return true;
  }
  release(n: number) {
    this.inFlight -= n;
  }
  get current() {
    return this.inFlight;
  }
}

/** Runs fn over items with at most `limit` at once, keeping order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
