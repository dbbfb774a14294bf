// Time rules: send windows that can open, real IANA time zones, cool-downs that exist, periods that are not zero,
// and ids that name one thing each.
import type { AdvocacyJourneyDefinition, SendWindow } from '../generated/journey.ts';
import { durationMs } from '../duration.ts';
import type { Problem } from './problem.ts';
import { didYouMean } from './suggest.ts';

let zones: string[] | undefined;
function knownZones(): string[] {
  zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zones;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function checkPolicies(def: AdvocacyJourneyDefinition, globalQuiet?: { start: string; end: string; file: string }): Problem[] {
  const problems: Problem[] = [];
  // The global contact policy's quiet hours hold in every journey: a window inside them never opens either.
  for (const [motion, plan] of Object.entries(def.motions)) {
    if (!globalQuiet || !quietCoversWindow(globalQuiet, plan.invite.sendWindow)) continue;
    problems.push({
      pointer: `/motions/${motion}/invite/sendWindow`,
      message: `the send window (${plan.invite.sendWindow.start}-${plan.invite.sendWindow.end}) lies inside the quiet hours of the global contact policy (${globalQuiet.start}-${globalQuiet.end}, ${globalQuiet.file}): no ask of motion \`${motion}\` could ever be sent`,
      expected: `a send window that leaves ${globalQuiet.start}-${globalQuiet.end}`,
      suggestion: `move the window into daytime, e.g. 09:00-17:00`,
      code: 'schedule.neverSends',
    });
  }
  for (const [motion, plan] of Object.entries(def.motions)) {
    problems.push(...checkWindow(plan.invite.sendWindow, `/motions/${motion}/invite/sendWindow`));
  }
  const quiet = def.contactPolicy?.quietHours;
  // One mistake (the quiet hours), one error, naming every motion it silences.
  const silenced = quiet ? Object.entries(def.motions).filter(([, plan]) => quietCoversWindow(quiet, plan.invite.sendWindow)) : [];
  if (quiet && silenced.length > 0) {
    const windows = silenced.map(([motion, plan]) => `\`${motion}\` (${plan.invite.sendWindow.start}-${plan.invite.sendWindow.end})`);
    problems.push({
      pointer: '/contactPolicy/quietHours',
      message: `quiet hours (${quiet.start}-${quiet.end}) cover the whole send window of ${silenced.length === 1 ? 'motion' : 'motions'} ${windows.join(' and ')}: no ask of ${silenced.length === 1 ? 'it' : 'them'} could ever be sent`,
      expected: 'quiet hours that leave part of each send window open, e.g. 20:00 to 08:00',
      suggestion: 'shorten the quiet hours, or move the send windows out of them',
      code: 'schedule.neverSends',
    });
  }
  if (quiet && quiet.start !== undefined && quiet.start === quiet.end) {
    problems.push({
      pointer: '/contactPolicy/quietHours',
      message: `quiet hours start and end at the same time (${quiet.start})`,
      expected: 'different times, e.g. 20:00 to 08:00',
      code: 'window.empty',
    });
  }
  if (def.contactPolicy && isZero(def.contactPolicy.period)) {
    problems.push({
      pointer: '/contactPolicy/period',
      message: 'the contact policy period is zero',
      expected: 'a positive duration, e.g. P30D',
      code: 'duration.zero',
    });
  }
  if (isZero(def.track.attributionWindow)) {
    problems.push({
      pointer: '/track/attributionWindow',
      message: 'the attribution window is zero: no conversion could be attributed',
      expected: 'a positive duration, e.g. P180D',
      code: 'duration.zero',
    });
  }
  def.suppression.signals.forEach((s, i) => {
    if (s.effect === 'hold' && !s.coolDown && !def.suppression.defaultCoolDown) {
      problems.push({
        pointer: `/suppression/signals/${i}`,
        message: `suppression \`${s.id}\` holds the customer but says for how long nowhere`,
        expected: '`coolDown` on the rule, or `suppression.defaultCoolDown`',
        suggestion: 'add "coolDown": "P30D"',
        code: 'suppression.noCoolDown',
      });
    }
  });
  problems.push(...duplicateIds(def.listen.signals, '/listen/signals', 'delight signal'));
  problems.push(
    ...duplicateIds([...def.suppression.signals, ...(def.suppression.whileOpen ?? [])], '/suppression', 'suppression rule', (i) =>
      i < def.suppression.signals.length
        ? `/suppression/signals/${i}/id`
        : `/suppression/whileOpen/${i - def.suppression.signals.length}/id`,
    ),
  );
  problems.push(...duplicateIds(def.qualify.rules, '/qualify/rules', 'qualify rule'));
  problems.push(...duplicateIds(def.expand?.promotions ?? [], '/expand/promotions', 'promotion'));
  for (const [motion, plan] of Object.entries(def.motions)) {
    problems.push(...duplicateIds(plan.invite.variants ?? [], `/motions/${motion}/invite/variants`, 'variant'));
  }
  return problems;
}

function checkWindow(window: SendWindow, at: string): Problem[] {
  const problems: Problem[] = [];
  const isTime = (t: unknown) => typeof t === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(t);
  if (isTime(window.start) && isTime(window.end) && window.end <= window.start) {
    problems.push({
      pointer: `${at}/end`,
      message: `the send window closes (${window.end}) ${window.end === window.start ? 'when' : 'before'} it opens (${window.start}): no ask could ever be sent`,
      expected: `a closing time after ${window.start}`,
      suggestion: 'swap start and end, or use quiet hours for overnight rules',
      code: 'window.empty',
    });
  }
  if (window.defaultTimezone && !isTimeZone(window.defaultTimezone)) {
    problems.push({
      pointer: `${at}/defaultTimezone`,
      message: `\`${window.defaultTimezone}\` is not an IANA time zone`,
      expected: 'an IANA zone, e.g. America/New_York, Europe/Paris, UTC',
      suggestion: didYouMean(window.defaultTimezone, knownZones()),
      code: 'window.badTimezone',
    });
  }
  return problems;
}

const clock = /^([01]\d|2[0-3]):([0-5]\d)$/;
const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Every minute of the window (same local clock as the quiet hours: the customer's zone) falls in quiet hours. */
function quietCoversWindow(quiet: { start: string; end: string }, window: SendWindow): boolean {
  if (![quiet.start, quiet.end, window.start, window.end].every((t) => typeof t === 'string' && clock.test(t))) return false;
  const [qs, qe, ws, we] = [quiet.start, quiet.end, window.start, window.end].map(minuteOf);
  if (qs === qe || we <= ws) return false; // reported on their own (window.empty)
  const isQuiet = (t: number) => (qs <= qe ? t >= qs && t < qe : t >= qs || t < qe);
  for (let t = ws; t < we; t++) if (!isQuiet(t)) return false;
  return true;
}

function duplicateIds(items: { id: string }[], _at: string, what: string, pointerOf?: (i: number) => string): Problem[] {
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first === undefined) {
      seen.set(item.id, i);
      return;
    }
    problems.push({
      pointer: pointerOf ? pointerOf(i) : `${_at}/${i}/id`,
      message: `two ${what}s are called \`${item.id}\``,
      expected: 'a unique id: operators see it as the reason for what happened',
      code: 'ids.duplicate',
    });
  });
  return problems;
}

function isZero(duration: string | undefined): boolean {
  try {
    return duration !== undefined && durationMs(duration) === 0;
  } catch {
    return false;
  }
}
