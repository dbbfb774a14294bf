// ISO 8601 durations (the subset the schema allows: weeks, days, hours, minutes, seconds) as milliseconds.
// Pure: the compiler, the interpreter and the API all use it.
const PATTERN = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function isDuration(text: string): boolean {
  return PATTERN.test(text);
}

/** Milliseconds in an ISO 8601 duration; throws on anything else. Days are 24 hours (the send window handles local time). */
export function durationMs(text: string): number {
  const m = PATTERN.exec(text);
  if (!m) throw new Error(`not an ISO 8601 duration: ${JSON.stringify(text)} (expected e.g. P2D, PT4H, P1W)`);
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/** The shortest ISO 8601 form of a millisecond count (whole seconds). */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  const text = `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
  return text === 'P' ? 'PT0S' : text;
}
