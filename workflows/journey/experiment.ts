// A run's part in its journey's experiment (definition `experiment`, patch experiment-arms): at Qualify a customer
// qualified for the motion under test is assigned an arm or control by a hash of experiment and customer id
// (journey/experiment-assignment.ts), kept in the run's state so it never changes while the experiment runs
// (continue-as-new carries it; a run that started before this field reads it as absent and is assigned afresh, to
// the same arm). The arm's overrides apply to that cycle's ask and reward; control waits for the moment the ask
// would go out, is recorded held out there, and is never asked, rewarded or counted against the contact cap.
// After the end new cycles take the winner the marketer named, until then the default arm, and nobody is held out.
import type { ExperimentArm, IncentiveOverrides, Invite, Reward } from '../../definitions/generated/journey.ts';
import { iso, trackIfLive, type RunContext } from './context.ts';
import { assignArm } from './experiment-assignment.ts';
import { note } from './state.ts';
import type { chooseVariant } from '../stages/invite-message.ts';

type ChosenAsk = ReturnType<typeof chooseVariant>;

/** What the run's state keeps of its assignment (JourneyState.experiment). */
export interface ExperimentAssignment {
  id: string;
  /** The arm id, or CONTROL. */
  arm: string;
  assignedAt: string;
  /** The cycle this assignment governs (overrides apply only in it); set at every Qualify into the tested motion. */
  cycle: number;
  /** Assigned after the end: the winner or the default arm, for good. */
  afterEnd?: boolean;
}

export const CONTROL = 'control';

/**
 * At the end of Qualify, for a qualified customer: the arm that governs this cycle and the motion to run (an arm
 * may ask for another motion). Outside the experiment (none declared, patch absent, before the start, another
 * motion) the motion is returned unchanged and the cycle has no arm.
 */
export function assignForCycle(ctx: RunContext, motion: string): string {
  const x = ctx.def.experiment;
  const { state } = ctx;
  if (!ctx.experiments || !x || motion !== x.motion) return motion;
  const now = ctx.now();
  if (now < Date.parse(x.start)) return motion;
  let assignment: ExperimentAssignment;
  if (now >= Date.parse(x.end)) {
    const arm = x.winner ?? x.defaultArm;
    assignment = { id: x.id, arm, assignedAt: iso(now), cycle: state.cycle, afterEnd: true };
    note(
      state,
      now,
      `experiment ${x.id} is over: this cycle uses ${x.winner ? `the winner` : `the default arm (no winner named yet)`} ${arm}`,
    );
  } else {
    const kept = state.experiment?.id === x.id && !state.experiment.afterEnd ? state.experiment : undefined;
    const arm = kept?.arm ?? armOf(assignArm(x.id, state.customerId, x.arms, x.holdout));
    assignment = { id: x.id, arm, assignedAt: kept?.assignedAt ?? iso(now), cycle: state.cycle };
    if (!kept) note(state, now, `experiment ${x.id}: assigned to ${arm === CONTROL ? 'control (held out: never asked)' : `arm ${arm}`}`);
  }
  state.experiment = assignment;
  // The report's denominator: every customer of each arm and of control, once per cycle they take part in.
  if (!assignment.afterEnd) trackIfLive(ctx, 'experiment.assigned', { experiment: x.id, arm: assignment.arm, cycle: state.cycle });
  return armById(ctx, assignment.arm)?.motion ?? motion;
}

function armOf(a: ReturnType<typeof assignArm>): string {
  return a.group === 'control' ? CONTROL : a.arm;
}

function armById(ctx: RunContext, id: string): ExperimentArm | undefined {
  return ctx.def.experiment?.arms.find((a) => a.id === id);
}

/** The assignment that governs the current cycle's motion, if any. */
function current(ctx: RunContext): ExperimentAssignment | undefined {
  const a = ctx.state.experiment;
  const x = ctx.def.experiment;
  if (!ctx.experiments || !a || !x || a.id !== x.id || a.cycle !== ctx.state.cycle) return undefined;
  const motion = armById(ctx, a.arm)?.motion ?? x.motion;
  return ctx.state.motion === motion ? a : undefined;
}

/** This cycle's customer is held out as control: the ask never goes out, no reward is paid. */
export function heldOut(ctx: RunContext): boolean {
  return current(ctx)?.arm === CONTROL;
}

/** The arm governing this cycle, for its overrides and the tracking records. */
export function currentArm(ctx: RunContext): ExperimentArm | undefined {
  const a = current(ctx);
  return a && a.arm !== CONTROL ? armById(ctx, a.arm) : undefined;
}

/** The invite with this cycle's arm's first-ask delay and reminder spacing. */
export function inviteForArm(ctx: RunContext, invite: Invite): Invite {
  const o = currentArm(ctx)?.invite;
  if (!o || (!o.firstAskDelay && !o.reminderSpacing)) return invite;
  return {
    ...invite,
    ...(o.firstAskDelay ? { firstAskDelay: o.firstAskDelay } : {}),
    reminders: (invite.reminders ?? []).map((r, i) => ({ ...r, after: o.reminderSpacing?.[i] ?? r.after })),
  };
}

/** The reward with this cycle's arm's incentive (the referrer's and the referred friend's reward). */
export function rewardForArm(ctx: RunContext, reward: Reward): Reward {
  const o: IncentiveOverrides | undefined = currentArm(ctx)?.reward;
  if (!o) return reward;
  return { ...reward, ...(o.referrer ? { referrer: o.referrer } : {}), ...(o.referred ? { referred: o.referred } : {}) } as Reward;
}

/** What the ask says in this cycle's arm: its own template, or the variant it names, else what the segment chose. */
export function chooseForArm(ctx: RunContext, invite: Invite, chosen: ChosenAsk): ChosenAsk {
  const o = currentArm(ctx)?.invite;
  if (o?.template) return { template: o.template, channel: invite.channel };
  const v = o?.variant ? (invite.variants ?? []).find((variant) => variant.id === o.variant) : undefined;
  if (v) return { template: v.template, channel: v.channel ?? invite.channel, variant: v.id };
  return chosen;
}

/** The control customer's ask would go out now: recorded, so the report counts control's denominator. */
export function recordHeldOut(ctx: RunContext, attempt: number): void {
  const a = current(ctx)!;
  note(ctx.state, ctx.now(), `invite #${attempt} not sent: held out as control of experiment ${a.id}`);
  trackIfLive(ctx, 'experiment.held_out', { experiment: a.id, arm: CONTROL, attempt });
}
