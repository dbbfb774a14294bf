// Qualify: the first rule whose condition holds over traits, history and the delight event picks the motion
// (or disqualifies); otherwise the plan's default. The reason is kept for operators.
import { ApplicationFailure } from '@temporalio/workflow';
import { holds } from '../journey/conditions.ts';
import { iso, track, type RunContext } from '../journey/context.ts';
import { conditionScope } from '../journey/event-intake.ts';

export function qualify(ctx: RunContext): string | undefined {
  const { qualify: q, motions } = ctx.def;
  const delight = ctx.state.delight;
  const scope = conditionScope(ctx, delight ? { id: delight.eventId, type: '', customerId: '', occurredAt: '', data: delight.data } : undefined);
  const rule = q.rules.find((r, i) => holds(r.when, scope, `/qualify/rules/${i}/when`));
  const motion = rule?.motion ?? q.otherwise;
  const reason = rule ? `${rule.id}: ${rule.reason ?? 'rule held'}` : 'otherwise: no rule held';
  ctx.state.qualification = { rule: rule?.id ?? 'otherwise', motion, reason, at: iso(ctx.now()) };
  if (motion === 'disqualify') {
    track(ctx, 'disqualified', { rule: rule?.id, reason });
    return undefined;
  }
  if (!motions[motion]) {
    throw ApplicationFailure.nonRetryable(`bad plan: qualify picked motion "${motion}" but the plan has no motions.${motion}`, 'JourneyBadPlan');
  }
  track(ctx, 'qualified', { motion, rule: rule?.id ?? 'otherwise', reason });
  return motion;
}
