// Reads a recorded event history: NDJSON, one event a line in the API's event format (an export, or the API's own
// log of accepted events, api/event-log.ts). Every line is checked as POST /v1/events checks it (envelope, catalog,
// traits); every problem is reported with its line number, all at once, and nothing is replayed from a bad file.
import { existsSync, readFileSync } from 'node:fs';
import { createCatalogEventValidator } from '../../api/event-validator.ts';
import type { JourneyEvent } from '../../workflows/contract/index.ts';

export class EventsFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'EventsFileError';
  }
}

export interface EventsSelection {
  /** Keep events that occurred at or after this instant (ISO date or date-time). */
  from?: string;
  /** Keep events that occurred before this instant. */
  to?: string;
  /** Keep only the first N customers, in the order they first appear. */
  customers?: number;
  /** Keep only these customers; each must have an event in the file. */
  customerIds?: string[];
}

export interface RecordedHistory {
  file: string;
  /** Each customer's events in the order they occurred (file order for equal times). */
  byCustomer: Map<string, JourneyEvent[]>;
  events: number;
  /** Lines whose event id an earlier line already had with the same content (the API takes such a retry once). */
  duplicates: number;
  /** The replayed window: `from`/`to` when given, else the first event and the last one. */
  fromMs: number;
  toMs: number;
}

const MAX_PROBLEMS = 20;

/** Whose replay an event belongs to: an event about a referred person (a deal closing, naming data.referrerId)
 *  goes with its referrer, so selecting customers keeps a referral's outcome with the advocate who made it. It is
 *  still delivered as recorded (its own customerId), exactly as the API routes it. */
function ownerOf(e: JourneyEvent): string {
  const referrer = e.data?.referrerId;
  return typeof referrer === 'string' && referrer ? referrer : e.customerId;
}

function instant(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new EventsFileError([`--${name} "${value}" is not a date (expected e.g. 2026-09-01 or 2026-09-01T00:00:00Z)`]);
  return ms;
}

export function readEventsFile(file: string, selection: EventsSelection = {}): RecordedHistory {
  if (!existsSync(file)) throw new EventsFileError([`${file}: no such events file`]);
  const fromMs = instant('from', selection.from);
  const toMs = instant('to', selection.to);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new EventsFileError([`--to must be after --from`]);
  const validate = createCatalogEventValidator();
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const kept: JourneyEvent[] = [];
  let duplicates = 0;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (problems.length >= MAX_PROBLEMS || !text.trim()) return;
    const where = `${file}:${i + 1}`;
    let event: JourneyEvent;
    try {
      event = JSON.parse(text) as JourneyEvent;
    } catch (err) {
      problems.push(`${where}: not a JSON line (${(err as Error).message})`);
      return;
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      problems.push(`${where}: expected an event object, got ${JSON.stringify(event)}`);
      return;
    }
    const found = validate(event);
    if (found.length > 0) {
      for (const p of found) problems.push(`${where}: ${p.pointer || '/'}: ${p.message}${p.expected ? ` (expected ${p.expected})` : ''}`);
      return;
    }
    const previous = seen.get(event.id);
    if (previous !== undefined) {
      if (previous !== text.trim()) problems.push(`${where}: /id: event id "${event.id}" was already used for a different event`);
      else duplicates++;
      return;
    }
    seen.set(event.id, text.trim());
    const at = Date.parse(event.occurredAt);
    if ((fromMs !== undefined && at < fromMs) || (toMs !== undefined && at >= toMs)) return;
    kept.push(event);
  });
  if (problems.length >= MAX_PROBLEMS) problems.push(`(stopped after ${MAX_PROBLEMS} problems)`);
  if (problems.length > 0) throw new EventsFileError(problems);
  if (kept.length === 0)
    throw new EventsFileError([`${file}: no events${fromMs !== undefined || toMs !== undefined ? ' between --from and --to' : ''}`]);

  let byCustomer = new Map<string, JourneyEvent[]>();
  for (const e of kept) byCustomer.set(ownerOf(e), [...(byCustomer.get(ownerOf(e)) ?? []), e]);
  if (selection.customerIds?.length) {
    const unknown = selection.customerIds.filter((id) => !byCustomer.has(id));
    if (unknown.length)
      throw new EventsFileError(
        unknown.map(
          (id) =>
            `${file}: unknown customer "${id}" (no event of theirs in the file${fromMs !== undefined || toMs !== undefined ? ' between --from and --to' : ''})`,
        ),
      );
    byCustomer = new Map(selection.customerIds.map((id) => [id, byCustomer.get(id)!]));
  }
  if (selection.customers !== undefined) byCustomer = new Map([...byCustomer].slice(0, selection.customers));
  for (const events of byCustomer.values()) events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const times = [...byCustomer.values()].flat().map((e) => Date.parse(e.occurredAt));
  return {
    file,
    byCustomer,
    events: times.length,
    duplicates,
    fromMs: fromMs ?? Math.min(...times),
    toMs: toMs ?? Math.max(...times),
  };
}

const DAY = 86_400_000;

/**
 * How far the replay moves the history forward: a test server's clock starts at the wall clock and only runs
 * forward, so a past history is replayed a whole number of weeks later (weekday and UTC time of day kept), the
 * number of weeks closest to whole years (so daylight saving time is in the same state, except within a few days of
 * a change). Every reported time is moved back by the same amount.
 */
export function replayShiftMs(fromMs: number, serverNowMs: number): number {
  for (let years = 0; ; years++) {
    const shift = Math.round((years * 365.2425) / 7) * 7 * DAY;
    if (fromMs + shift >= serverNowMs) return shift;
  }
}

/** Each customer's events moved `shiftMs` later (occurredAt only; times inside `data` are left as recorded). */
export function shiftedEvents(history: RecordedHistory, shiftMs: number): Map<string, JourneyEvent[]> {
  return new Map(
    [...history.byCustomer].map(([id, events]) => [
      id,
      events.map((e) => ({ ...e, occurredAt: new Date(Date.parse(e.occurredAt) + shiftMs).toISOString() })),
    ]),
  );
}
