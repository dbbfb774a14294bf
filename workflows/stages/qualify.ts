// Qualify: the first rule whose condition holds over traits, history and the delight event picks the motion
// (or disqualifies); otherwise the plan's default. The reason is kept for operators. When the plan's conditions
// use history.advocateScore / history.advocateTier, the customer's current score is read from customer:<id> first.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { AdvocacyJourneyDefinition } from '../../definitions/generated/journey.ts';
import { holds } from '../journey/conditions.ts';
import { iso, track, type RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';
import { note } from '../journey/state.ts';
import { counted, failureMessage, isNotRegistered } from '../journey/activities.ts';
import type { JourneyActivities } from '../contract/index.ts';

// A few quick attempts: the customer workflow answers a query at once or its worker is down; Qualify then goes on
// without the score (rules on it see null) rather than hold the run.
const scoreProxy = proxyActivities<Pick<JourneyActivities, 'readAdvocateScore'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['NotFoundError'] },
});
const scores = { readAdvocateScore: counted(scoreProxy.readAdvocateScore) };

const SCORE_VARS = /"history\.(advocateScore|advocateTier)"/;
const usesScore = new WeakMap<AdvocacyJourneyDefinition, boolean>();

/** Whether any condition of the plan reads the advocate score (pure; journeys that don't never pay for the read). */
export function readsAdvocateScore(def: AdvocacyJourneyDefinition): boolean {
  let uses = usesScore.get(def);
  if (uses === undefined) {
    uses = SCORE_VARS.test(JSON.stringify(def));
    usesScore.set(def, uses);
  }
  return uses;
}

async function readAdvocateScore(ctx: RunContext): Promise<void> {
  const history = ctx.state.history;
  delete history.advocateScore;
  delete history.advocateTier;
  try {
    const reading = await scores.readAdvocateScore({ customerId: ctx.state.customerId });
    if (reading.found) {
      history.advocateScore = reading.score;
      history.advocateTier = reading.tier;
    }
  } catch (err) {
    const why = isNotRegistered(err) ? 'readAdvocateScore is not registered on this worker' : failureMessage(err);
    note(ctx.state, ctx.now(), `advocate score unavailable at Qualify: ${why}`);
  }
}

export async function qualify(ctx: RunContext): Promise<string | undefined> {
  if (readsAdvocateScore(ctx.def)) await readAdvocateScore(ctx);
  const { qualify: q, motions } = ctx.def;
  const delight = ctx.state.delight;
  const scope = conditionScope(
    ctx,
    delight ? { id: delight.eventId, type: '', customerId: '', occurredAt: '', data: delight.data } : undefined,
  );
  const rule = q.rules.find((r, i) => holds(r.when, scope, `/qualify/rules/${i}/when`));
  const motion = rule?.motion ?? q.otherwise;
  const reason = rule ? `${rule.id}: ${rule.reason ?? 'rule held'}` : 'otherwise: no rule held';
  ctx.state.qualification = { rule: rule?.id ?? 'otherwise', motion, reason, at: iso(ctx.now()) };
  if (motion === 'disqualify') {
    track(ctx, 'disqualified', { rule: rule?.id, reason });
    return undefined;
  }
  if (!motions[motion]) {
    throw ApplicationFailure.nonRetryable(
      `bad plan: qualify picked motion "${motion}" but the plan has no motions.${motion}`,
      'JourneyBadPlan',
    );
  }
  track(ctx, 'qualified', { motion, rule: rule?.id ?? 'otherwise', reason });
  return motion;
}
