// Owner tasks (invite.ownerTask): only on the owner-outreach channel, one task per motion and cycle (no reminders),
// an answer window that is not zero, and outcomes that lead somewhere: a fallback motion must be defined, must not
// be the motion itself, and a chain of fallbacks must not come back round (declines would loop within one cycle).
import type { AdvocacyJourneyDefinition, MotionPlan, OwnerTaskOutcome } from '../generated/journey.ts';
import { durationMs } from '../duration.ts';
import type { Problem } from './problem.ts';
import { didYouMean } from './suggest.ts';

type Outcome = 'onDeclined' | 'onNoAnswer';
const OUTCOMES: Outcome[] = ['onDeclined', 'onNoAnswer'];

/** The motions an owner task's outcomes can fall back to (for the reachability check in motion-check.ts). */
export function fallbackPicks(def: AdvocacyJourneyDefinition): { motion: string; pointer: string; who: string }[] {
  return Object.entries(def.motions).flatMap(([motion, plan]) =>
    OUTCOMES.flatMap((outcome) => {
      const o = (plan as MotionPlan).invite?.ownerTask?.[outcome];
      return o?.then === 'motion' && o.motion
        ? [
            {
              motion: o.motion,
              pointer: `/motions/${motion}/invite/ownerTask/${outcome}/motion`,
              who: `\`${motion}\`'s owner task ${outcome}`,
            },
          ]
        : [];
    }),
  );
}

export function checkOwnerTasks(def: AdvocacyJourneyDefinition): Problem[] {
  const problems: Problem[] = [];
  const defined = Object.keys(def.motions);
  for (const [motion, raw] of Object.entries(def.motions)) {
    const invite = (raw as MotionPlan).invite;
    const task = invite?.ownerTask;
    if (!task) continue;
    const at = `/motions/${motion}/invite/ownerTask`;
    const ownerChannel = invite.channel === 'owner-outreach' || (invite.variants ?? []).some((v) => v.channel === 'owner-outreach');
    if (!ownerChannel) {
      problems.push({
        pointer: at,
        atKey: true,
        message: `\`ownerTask\` needs the owner-outreach channel, but \`${motion}\` asks by ${invite.channel}: no owner would get the task`,
        expected: '`"channel": "owner-outreach"` on this invite (or one of its variants)',
        suggestion: 'set the channel to owner-outreach, or remove `ownerTask`',
        code: 'ownerTask.channel',
      });
    }
    if ((invite.reminders ?? []).length > 0) {
      problems.push({
        pointer: `/motions/${motion}/invite/reminders`,
        message: 'an owner task is one task with an answer window: reminders would create more tasks for the same ask',
        expected: 'no reminders with `ownerTask` (the CRM reminds the owner of an open task)',
        suggestion: 'remove `reminders`, or lengthen `ownerTask.answerWithin`',
        code: 'ownerTask.reminders',
      });
    }
    if (safeMs(task.answerWithin) === 0 && task.answerWithin) {
      problems.push({
        pointer: `${at}/answerWithin`,
        message: 'an answer window of zero: every task would count as not answered at once',
        expected: 'a positive duration, e.g. P7D',
        code: 'duration.zero',
      });
    }
    for (const outcome of OUTCOMES) problems.push(...checkOutcome(task[outcome], motion, `${at}/${outcome}`, defined));
  }
  problems.push(...fallbackLoops(def));
  return problems;
}

function checkOutcome(o: OwnerTaskOutcome | undefined, motion: string, at: string, defined: string[]): Problem[] {
  if (!o) return [];
  if (o.then !== 'motion') {
    if (o.motion === undefined) return [];
    return [
      {
        pointer: `${at}/motion`,
        atKey: true,
        message: `\`motion\` is read only with \`"then": "motion"\`; with \`"then": "${o.then}"\` it would be ignored`,
        expected: '`"then": "motion"` with `motion`, or no `motion`',
        suggestion: `set \`"then": "motion"\` to fall back to ${o.motion}, or remove \`motion\``,
        code: 'ownerTask.motionIgnored',
      },
    ];
  }
  if (!o.motion) {
    return [
      {
        pointer: at,
        message: '`"then": "motion"` needs `motion`: which motion to fall back to',
        expected: `\`motion\`: one of ${defined.filter((m) => m !== motion).join(', ') || 'another defined motion'}`,
        suggestion: 'add `motion`, or use `"then": "end-cycle"`',
        code: 'ownerTask.motionMissing',
      },
    ];
  }
  if (o.motion === motion) {
    return [
      {
        pointer: `${at}/motion`,
        message: `\`${motion}\` falls back to itself: a declined task would create the same task again`,
        expected: 'another motion, or `"then": "end-cycle"`',
        code: 'ownerTask.selfFallback',
      },
    ];
  }
  if (!defined.includes(o.motion)) {
    return [
      {
        pointer: `${at}/motion`,
        message: `the owner task falls back to \`${o.motion}\`, but \`motions\` does not define it`,
        expected: `a motion defined under \`motions\`: ${defined.join(', ')}`,
        suggestion: didYouMean(o.motion, defined) ?? `add \`motions.${o.motion}\``,
        code: 'ownerTask.motionUndefined',
      },
    ];
  }
  return [];
}

/** A fallback chain that comes back to a motion already in it (a → b → a): reported once, at the edge that closes it. */
function fallbackLoops(def: AdvocacyJourneyDefinition): Problem[] {
  const next = new Map<string, { motion: string; pointer: string }[]>();
  for (const pick of fallbackPicks(def)) {
    const from = pick.pointer.split('/')[2];
    if (from === pick.motion) continue; // reported as a self fallback
    next.set(from, [...(next.get(from) ?? []), pick]);
  }
  const reported = new Set<string>();
  const problems: Problem[] = [];
  const walk = (motion: string, path: string[]) => {
    for (const edge of next.get(motion) ?? []) {
      if (path.includes(edge.motion)) {
        if (!reported.has(edge.pointer)) {
          reported.add(edge.pointer);
          problems.push({
            pointer: edge.pointer,
            message: `owner task fallbacks go round in a circle (${[...path.slice(path.indexOf(edge.motion)), motion, edge.motion].filter((m, i, all) => i === 0 || m !== all[i - 1]).join(' → ')}): declined tasks would never end the cycle`,
            expected: 'a chain of fallbacks that ends (`"then": "end-cycle"` or `"exit"` somewhere)',
            code: 'ownerTask.fallbackLoop',
          });
        }
        continue;
      }
      walk(edge.motion, [...path, motion]);
    }
  };
  for (const motion of next.keys()) walk(motion, []);
  return problems;
}

function safeMs(duration: string | undefined): number {
  try {
    return duration ? durationMs(duration) : 0;
  } catch {
    return 0;
  }
}
