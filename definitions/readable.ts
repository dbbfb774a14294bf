// Reasons as people read them: the one formatter behind the run's state texts, its Current Details in the Temporal
// UI, the API's answers and the CLI. Durations read "2 min" or "7 days", instants read in the customer's zone and in
// UTC, and a placeholder such as `<redacted>` survives a Markdown renderer. Pure and deterministic (Intl only, no
// clock, no locale of the host): workflow code formats its notes with it, and replay gives the same text.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `45 s`, `2 min`, `1 h 30 min`, `36 h`, `7 days`, `1 day 12 h`: the largest units that say it, at most two. */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${durationText(-ms)}`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(ms / MINUTE);
  if (min < 60) return `${min} min`;
  if (ms < 2 * DAY && ms % DAY !== 0) {
    const h = Math.floor(min / 60);
    const rest = min % 60;
    return rest ? `${h} h ${rest} min` : `${h} h`;
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.round((ms - days * DAY) / HOUR);
  if (hours === 24) return plural(days + 1, 'day');
  return hours ? `${plural(days, 'day')} ${hours} h` : plural(days, 'day');
}

interface Wall {
  date: string;
  weekday: string;
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(ms: number, zone: string): Wall | undefined {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
    } catch {
      return undefined; // not an IANA zone this runtime knows
    }
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  // The weekday from the local date itself, not from Intl's localized names: the same text on every host.
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
  return { date, weekday, time: `${p.hour === '24' ? '00' : p.hour}:${p.minute}` };
}

/**
 * `2026-12-07 mon 09:00 Asia/Tokyo (00:00 UTC)`: an instant in the customer's zone, and in UTC for operators
 * (with the UTC date when it differs). In UTC, or with no known zone, just `2026-12-07 mon 00:00 UTC`.
 */
export function instantText(at: number | string, zone?: string): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return String(at);
  const utc = wallClock(ms, 'UTC')!;
  const local = zone && zone !== 'UTC' && zone !== 'Etc/UTC' ? wallClock(ms, zone) : undefined;
  if (!local) return `${utc.date} ${utc.weekday} ${utc.time} UTC`;
  const utcPart = utc.date === local.date ? utc.time : `${utc.date} ${utc.time}`;
  return `${local.date} ${local.weekday} ${local.time} ${zone} (${utcPart} UTC)`;
}

/** `2026-03-09 mon 09:00 (America/New_York)`: the local wall clock alone, for a day-by-day log already headed by its zone. */
export function localText(ms: number, zone: string): string {
  const local = wallClock(ms, zone) ?? wallClock(ms, 'UTC')!;
  return `${local.date} ${local.weekday} ${local.time} (${zone})`;
}

/** ISO 8601 instants (`2026-12-07T00:00:00.000Z`, offsets too) inside a text. */
const INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;
/** ISO 8601 durations of the journey language (`P2D`, `PT4H`, `P1W`) standing as words inside a text. */
const ISO_DURATION = /(?<![\w-])P(?=\d|T\d)(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?(?![\w-])/g;
const DURATION_PARTS = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

function isoDurationMs(text: string): number | undefined {
  const m = DURATION_PARTS.exec(text);
  if (!m) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/**
 * A reason the engine wrote, for people: every ISO instant in it as {@link instantText} in `zone`, every ISO
 * duration as {@link durationText}. Text that is already readable passes through unchanged.
 */
export function readableReason(text: string, zone?: string): string {
  return text
    .replace(INSTANT, (iso) => instantText(iso, zone))
    .replace(ISO_DURATION, (iso) => {
      const ms = isoDurationMs(iso);
      return ms === undefined ? iso : durationText(ms);
    });
}

/**
 * A reason inside Markdown (the Temporal UI's Current Details): readable, and with the characters Markdown or HTML
 * would swallow escaped, so `<redacted>` shows instead of vanishing as an unknown tag.
 */
export function markdownReason(text: string, zone?: string): string {
  return readableReason(text, zone)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_`[\]\\])/g, '\\$1');
}

/** `1 ask per 7 days`, `2 asks per 2 min`: a frequency cap in words. */
export function capText(maxAsks: number, periodMs: number): string {
  return `${plural(maxAsks, 'ask')} per ${durationText(periodMs)}`;
}
