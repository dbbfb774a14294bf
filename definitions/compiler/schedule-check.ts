// The first ask against Activate's deadline. Activate gives the customer `timeout` to act; a first ask that waits at
// least that long after the delight comes only once the time the journey allows for acting on the moment has gone
// by: almost always the two durations swapped. The send window (its days and hours, less the journey's and the
// global quiet hours) can push the ask later still: when that push alone can carry it past the deadline, some
// customers (those whose delight lands just after the window closes) are asked too late, a warning naming the
// worst case. Arms of an experiment that change the delay are checked against their own motion.
import type { AdvocacyJourneyDefinition, MotionPlan, SendWindow } from '../generated/journey.ts';
import { durationMs } from '../duration.ts';
import { durationText } from '../readable.ts';
import type { Problem } from './problem.ts';

interface QuietHours {
  start: string;
  end: string;
}

const MINUTES_PER_WEEK = 7 * 24 * 60;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const clock = /^([01]\d|2[0-3]):([0-5]\d)$/;
const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

export function checkFirstAskDeadline(def: AdvocacyJourneyDefinition, globalQuiet?: QuietHours): Problem[] {
  const quiet = [def.contactPolicy?.quietHours, globalQuiet].filter((q): q is QuietHours => q !== undefined);
  const problems: Problem[] = [];
  for (const [motion, plan] of Object.entries(def.motions) as [string, MotionPlan][]) {
    const found = firstAskProblem(plan, plan.invite.firstAskDelay, quiet, `/motions/${motion}/invite/firstAskDelay`, motion);
    if (found) problems.push(found);
  }
  const x = def.experiment;
  x?.arms.forEach((arm, i) => {
    const motion = arm.motion ?? x.motion;
    const plan = (def.motions as Record<string, MotionPlan | undefined>)[motion];
    const delay = arm.invite?.firstAskDelay;
    if (!plan || delay === undefined) return; // an unknown motion is the experiment check's finding
    const found = firstAskProblem(plan, delay, quiet, `/experiment/arms/${i}/invite/firstAskDelay`, motion, arm.id);
    if (found) problems.push(found);
  });
  return problems;
}

function firstAskProblem(
  plan: MotionPlan,
  delayText: string,
  quiet: QuietHours[],
  pointer: string,
  motion: string,
  arm?: string,
): Problem | undefined {
  const delay = safeMs(delayText);
  const timeout = safeMs(plan.activate.timeout);
  // A zero or malformed timeout is reported on its own (duration.zero, the schema): one error per mistake.
  if (timeout === undefined || timeout <= 0 || delay === undefined) return undefined;
  const whose = arm ? `arm \`${arm}\`'s first ask` : `the first ask of motion \`${motion}\``;
  if (delay >= timeout)
    return {
      pointer,
      message: `${whose} waits ${durationText(delay)} after the delight, yet Activate gives the customer only ${durationText(timeout)} (\`activate.timeout\`, ${plan.activate.timeout}) to act: the ask could come no earlier than that deadline`,
      expected: `a first-ask delay shorter than ${plan.activate.timeout}`,
      suggestion: `shorten \`firstAskDelay\` or lengthen \`motions.${motion}.activate.timeout\` (were the two swapped?)`,
      code: 'schedule.firstAskPastDeadline',
    };
  const push = longestWindowPush(plan.invite.sendWindow, quiet);
  if (push === undefined || delay + push < timeout) return undefined;
  return {
    pointer,
    message: `${whose} waits ${durationText(delay)} after the delight, and the send window can push it ${durationText(push)} later (a delight just after the window closes): ${durationText(delay + push)}, past Activate's ${durationText(timeout)} (\`activate.timeout\`, ${plan.activate.timeout})`,
    expected: `a first-ask delay plus the longest wait for the send window under ${plan.activate.timeout}`,
    suggestion: `shorten \`firstAskDelay\`, widen the send window, or lengthen \`motions.${motion}.activate.timeout\``,
    code: 'schedule.firstAskPastDeadline',
    severity: 'warning',
  };
}

/**
 * The longest a due ask waits for the send window to open, in ms: the largest gap, over one week of local minutes,
 * between a moment and the next minute the window is open and no quiet hours hold. Undefined when the window cannot
 * be read or never opens (both reported by their own checks).
 */
export function longestWindowPush(window: SendWindow, quiet: QuietHours[]): number | undefined {
  if (!clock.test(window.start) || !clock.test(window.end)) return undefined;
  const [start, end] = [minuteOf(window.start), minuteOf(window.end)];
  const quietSpans = quiet.filter((q) => clock.test(q.start) && clock.test(q.end) && q.start !== q.end);
  const isQuiet = (m: number) =>
    quietSpans.some((q) => {
      const [qs, qe] = [minuteOf(q.start), minuteOf(q.end)];
      return qs <= qe ? m >= qs && m < qe : m >= qs || m < qe;
    });
  const open: boolean[] = [];
  for (let m = 0; m < MINUTES_PER_WEEK; m++) {
    const day = WEEKDAYS[Math.floor(m / 1440)];
    const minute = m % 1440;
    open.push(window.days.includes(day as SendWindow['days'][number]) && minute >= start && minute < end && !isQuiet(minute));
  }
  if (!open.includes(true)) return undefined;
  // Walk the week backwards twice (it wraps): each minute's wait is one more than the next minute's, or 0 when open.
  let longest = 0;
  let wait = 0;
  for (let i = 2 * MINUTES_PER_WEEK - 1; i >= 0; i--) {
    wait = open[i % MINUTES_PER_WEEK] ? 0 : wait + 1;
    if (i < MINUTES_PER_WEEK) longest = Math.max(longest, wait);
  }
  return longest * 60_000;
}

function safeMs(duration: string | undefined): number | undefined {
  try {
    return duration ? durationMs(duration) : undefined;
  } catch {
    return undefined; // malformed durations are reported by the schema check
  }
}
