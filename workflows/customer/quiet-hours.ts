// Quiet hours in the customer's IANA zone, with Intl (available in the workflow sandbox). Pure.
export interface QuietHours {
  /** HH:MM local; quiet from here... */
  start: string;
  /** ...until here (may be past midnight, e.g. 21:00-08:00). */
  end: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localMinuteOfDay(ms: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

export function isQuietAt(ms: number, quiet: QuietHours, zone: string): boolean {
  const t = localMinuteOfDay(ms, zone);
  const s = minutesOf(quiet.start);
  const e = minutesOf(quiet.end);
  return s <= e ? t >= s && t < e : t >= s || t < e;
}

/** The first instant (whole minute) at or after `ms` that is outside quiet hours. */
export function quietHoursEnd(ms: number, quiet: QuietHours, zone: string): number {
  if (!isQuietAt(ms, quiet, zone)) return ms;
  const minuteStart = ms - (ms % 60_000);
  const wait = (minutesOf(quiet.end) - localMinuteOfDay(ms, zone) + 1440) % 1440;
  let candidate = minuteStart + wait * 60_000;
  // A DST change inside the wait moves the local clock by up to an hour: step until outside.
  for (let i = 0; i < 8 && isQuietAt(candidate, quiet, zone); i++) candidate += 15 * 60_000;
  for (let i = 0; i < 60 && !isQuietAt(candidate - 60_000, quiet, zone) && candidate - 60_000 >= ms; i++) candidate -= 60_000;
  return candidate;
}
