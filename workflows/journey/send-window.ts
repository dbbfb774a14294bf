// The send window in the customer's own time zone: when may the next ask go out? Pure and deterministic
// (Intl only, no clock): the interpreter passes workflow time in. Right across DST changes because every local
// wall-clock time is turned into an instant with the zone's offset at that instant, not at `fromMs`.
import { ApplicationFailure } from '@temporalio/common';
import type { SendWindow } from '../../definitions/generated/journey.ts';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_MS = 86_400_000;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || !zone) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(ms: number, zone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: parts.weekday.toLowerCase().slice(0, 3),
  };
}

/** The zone's offset from UTC (ms) at instant `ms`. */
function offsetAt(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in `zone`. A time skipped by a spring-forward gap moves forward by
 * the gap's length (02:30 → 03:30, the 'compatible' rule of java.time and Temporal); a time repeated at fall-back maps to its first occurrence.
 */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, minute: number, zone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const candidates = [offsetAt(asUtc - DAY_MS / 2, zone), offsetAt(asUtc + DAY_MS / 2, zone)]
    .map((offset) => asUtc - offset)
    .filter((instant) => {
      const p = localParts(instant, zone);
      return p.hour === hour && p.minute === minute && p.day === day;
    })
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0];
  // In a gap: the wall clock jumps over this time; read it with the offset before the jump (moves it forward).
  return asUtc - offsetAt(asUtc - DAY_MS / 2, zone);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The earliest instant at or after `fromMs` that lies inside the send window in `zone`: `fromMs` itself when the
 * window is open then, else the window's opening on the next allowed day.
 */
export function nextSendTime(fromMs: number, window: Pick<SendWindow, 'days' | 'start' | 'end'>, zone: string): number {
  const days = new Set<string>(window.days);
  const open = minutesOf(window.start);
  const close = minutesOf(window.end);
  const here = localParts(fromMs, zone);
  const nowMinutes = here.hour * 60 + here.minute + here.second / 60;
  if (days.has(here.weekday) && nowMinutes >= open && nowMinutes < close) return fromMs;
  // Walk local calendar days (a noon anchor never lands in a DST gap) for up to two weeks.
  const anchor = Date.UTC(here.year, here.month - 1, here.day, 12);
  for (let d = 0; d <= 14; d++) {
    const date = new Date(anchor + d * DAY_MS);
    const weekday = WEEKDAYS[date.getUTCDay()];
    if (!days.has(weekday)) continue;
    const opening = zonedTimeToUtc(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      Math.floor(open / 60),
      open % 60,
      zone,
    );
    if (opening >= fromMs) return opening;
  }
  // Data no retry can fix: fail the run with the reason instead of its workflow task, retried forever.
  throw ApplicationFailure.nonRetryable(`send window ${JSON.stringify(window)} never opens in ${zone}`, 'JourneyBadPlan');
}

/** The local wall clock of an instant, from the one formatter of readable texts. */
export { localText as formatLocal } from '../../definitions/readable.ts';
