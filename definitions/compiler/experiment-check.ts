// An experiment's declaration, beyond its shape: the weights and the holdout add up to 1, arm ids are unique, the
// default arm and the winner are arms, the dates run forward, every override names a real part of the motion it
// changes (a motion, a variant, reminders, a reward side), and the primary metric is a declared KPI that can
// compare an arm with control.
import type { AdvocacyJourneyDefinition, ExperimentArm, MotionPlan } from '../generated/journey.ts';
import { metricShape, usableMetrics } from '../experiments/metric.ts';
import type { Catalog } from './catalog.ts';
import type { Problem } from './problem.ts';
import { didYouMean } from './suggest.ts';

/** How far from 1 the shares may add up (decimal shares such as 0.45 + 0.45 + 0.1 are not exact in binary). */
const SHARE_TOLERANCE = 1e-9;

export function checkExperiment(def: AdvocacyJourneyDefinition, catalog: Catalog): Problem[] {
  const x = def.experiment;
  if (!x) return [];
  const problems: Problem[] = [];
  const at = '/experiment';
  const total = x.arms.reduce((sum, arm) => sum + arm.weight, 0) + x.holdout;
  if (Math.abs(total - 1) > SHARE_TOLERANCE)
    problems.push({
      pointer: `${at}/arms`,
      message: `the arms' weights (${x.arms.map((a) => a.weight).join(' + ')}) and the holdout (${x.holdout}) add up to ${round(total)}, not 1`,
      expected: 'weights + holdout = 1',
      suggestion: `make them add up to 1, e.g. each arm ${round((1 - x.holdout) / x.arms.length)} with a holdout of ${x.holdout}`,
      code: 'experiment.shares',
    });
  const ids = x.arms.map((a) => a.id);
  x.arms.forEach((arm, i) => {
    if (ids.indexOf(arm.id) !== i)
      problems.push({ pointer: `${at}/arms/${i}/id`, message: `the arm id \`${arm.id}\` is used twice`, code: 'experiment.duplicateArm' });
  });
  for (const key of ['defaultArm', 'winner'] as const) {
    const named = x[key];
    if (named !== undefined && !ids.includes(named))
      problems.push({
        pointer: `${at}/${key}`,
        message: `\`${key}\` names the arm \`${named}\`, but the experiment has no such arm`,
        expected: `one of its arms: ${ids.join(', ')}`,
        suggestion: didYouMean(named, ids),
        code: 'experiment.unknownArm',
      });
  }
  const start = Date.parse(x.start);
  const end = Date.parse(x.end);
  if (Number.isFinite(start) && Number.isFinite(end) && end <= start)
    problems.push({
      pointer: `${at}/end`,
      message: `the experiment ends (${x.end}) before it starts (${x.start})`,
      expected: 'an end after the start',
      code: 'experiment.dates',
    });
  const motions = Object.keys(def.motions);
  const motionProblem = (motion: string, pointer: string, who: string): Problem | undefined =>
    def.motions[motion as keyof typeof def.motions]
      ? undefined
      : {
          pointer,
          message: `${who} names the motion \`${motion}\`, but \`motions\` does not define it`,
          expected: `a motion of this journey: ${motions.join(', ')}`,
          suggestion: didYouMean(motion, motions),
          code: 'experiment.unknownMotion',
        };
  const tested = motionProblem(x.motion, `${at}/motion`, 'the experiment');
  if (tested) problems.push(tested);
  x.arms.forEach((arm, i) => {
    const pointer = `${at}/arms/${i}`;
    const wrong = arm.motion === undefined ? undefined : motionProblem(arm.motion, `${pointer}/motion`, `the arm \`${arm.id}\``);
    if (wrong) problems.push(wrong);
    const motion = arm.motion ?? x.motion;
    const plan = def.motions[motion as keyof typeof def.motions] as MotionPlan | undefined;
    if (plan && !wrong && !(arm.motion === undefined && tested)) problems.push(...checkOverrides(arm, plan, motion, pointer));
  });
  problems.push(...checkMetric(x.primaryMetric, catalog, `${at}/primaryMetric`));
  return problems;
}

function checkOverrides(arm: ExperimentArm, plan: MotionPlan, motion: string, at: string): Problem[] {
  const problems: Problem[] = [];
  const variants = (plan.invite.variants ?? []).map((v) => v.id);
  const variant = arm.invite?.variant;
  if (variant !== undefined && !variants.includes(variant))
    problems.push({
      pointer: `${at}/invite/variant`,
      message: `the arm \`${arm.id}\` uses the invite variant \`${variant}\`, but motions.${motion}.invite has ${variants.length ? `only ${variants.map((v) => `\`${v}\``).join(', ')}` : 'no variants'}`,
      expected: 'the id of a variant of the motion this arm asks for',
      suggestion: didYouMean(variant, variants),
      code: 'experiment.unknownVariant',
    });
  if (variant !== undefined && arm.invite?.template)
    problems.push({
      pointer: `${at}/invite/template`,
      message: `the arm \`${arm.id}\` overrides both the template and the variant; only one can say what the ask is`,
      code: 'experiment.templateAndVariant',
    });
  const reminders = plan.invite.reminders ?? [];
  const spacing = arm.invite?.reminderSpacing;
  if (spacing && spacing.length > reminders.length)
    problems.push({
      pointer: `${at}/invite/reminderSpacing`,
      message: `the arm \`${arm.id}\` spaces ${spacing.length} reminders, but motions.${motion}.invite has ${reminders.length}`,
      expected: `at most ${reminders.length} spacing${reminders.length === 1 ? '' : 's'}`,
      code: 'experiment.reminderSpacing',
    });
  const reward = arm.reward;
  if (reward && !plan.reward)
    problems.push({
      pointer: `${at}/reward`,
      message: `the arm \`${arm.id}\` overrides the reward, but motions.${motion} has no reward`,
      code: 'experiment.noReward',
    });
  else if (reward?.referred && !plan.reward?.referred)
    problems.push({
      pointer: `${at}/reward/referred`,
      message: `the arm \`${arm.id}\` overrides the referred friend's reward, but motions.${motion}.reward is ${plan.reward?.type} with none`,
      code: 'experiment.noReward',
    });
  return problems;
}

function checkMetric(id: string, catalog: Catalog, pointer: string): Problem[] {
  const kpis = catalog.kpis;
  if (!kpis) return [];
  const kpi = kpis.find((k) => k.id === id);
  const usable = usableMetrics(kpis);
  if (!kpi)
    return [
      {
        pointer,
        message: `the primary metric \`${id}\` is not a declared KPI`,
        expected: `a KPI id from definitions/kpis/ that can compare an arm with control: ${usable.join(', ')}`,
        suggestion: didYouMean(
          id,
          kpis.map((k) => k.id),
        ),
        code: 'experiment.unknownMetric',
      },
    ];
  const shape = metricShape(kpi);
  if (shape.kind !== 'unusable') return [];
  return [
    {
      pointer,
      message: `the KPI \`${id}\` cannot be an experiment's primary metric: ${shape.why}`,
      expected: `a rate per customer over delighted or qualified customers, or a revenue: ${usable.join(', ')}`,
      suggestion: id.includes('rate') ? 'try `customer-referral-rate` (customers who referred / delighted customers)' : undefined,
      code: 'experiment.metricUnusable',
    },
  ];
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
