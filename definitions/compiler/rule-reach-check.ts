// Conditions that can never change their answer: a condition with no `var` in it reads nothing of the event,
// the traits or the history, so it holds always or never. A qualify rule that always holds hides every rule
// after it and `otherwise`; one that never holds is dead, and so is a delight signal, an action, a variant or a
// promotion whose condition never holds. Pure: json-logic-js evaluates the constant with no data.
import jsonLogic from 'json-logic-js';
import type { AdvocacyJourneyDefinition } from '../generated/journey.ts';
import type { Problem } from './problem.ts';

type Constant = { value: boolean } | undefined;

/** The fixed truth of a condition that reads no data, or undefined when it depends on data (or cannot run). */
function constantTruth(condition: unknown): Constant {
  if (condition === undefined || readsData(condition)) return undefined;
  try {
    return { value: jsonLogic.truthy(jsonLogic.apply(condition as jsonLogic.RulesLogic, {})) };
  } catch {
    return undefined; // an unknown operator is reported by the logic check
  }
}

function readsData(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(readsData);
  if (!node || typeof node !== 'object') return false;
  return Object.entries(node).some(([op, args]) => op === 'var' || op === 'missing' || op === 'missing_some' || readsData(args));
}

const never = (pointer: string, what: string, fix: string): Problem => ({
  pointer,
  message: `${what} can never hold: its condition reads no data and is always false`,
  expected: 'a condition over event, traits or history, e.g. {">=": [{"var": "event.data.score"}, 9]}',
  suggestion: fix,
  code: 'condition.neverHolds',
});

export function checkRuleReach(def: AdvocacyJourneyDefinition): Problem[] {
  const problems: Problem[] = [];
  const rules = def.qualify.rules;
  const alwaysAt = rules.findIndex((r) => constantTruth(r.when)?.value === true);
  rules.forEach((rule, i) => {
    if (alwaysAt >= 0 && i > alwaysAt) {
      problems.push({
        pointer: `/qualify/rules/${i}`,
        atKey: true,
        message: `qualify rule \`${rule.id}\` can never be chosen: rule \`${rules[alwaysAt].id}\` before it always holds`,
        expected: 'rules whose conditions depend on the customer, most specific first',
        suggestion: `give \`${rules[alwaysAt].id}\` a real condition, or move it last and use \`otherwise\` instead`,
        code: 'qualify.ruleUnreachable',
      });
    } else if (constantTruth(rule.when)?.value === false) {
      problems.push(never(`/qualify/rules/${i}/when`, `qualify rule \`${rule.id}\``, 'fix the condition or remove the rule'));
    }
  });
  if (alwaysAt >= 0) {
    problems.push({
      pointer: '/qualify/otherwise',
      message: `\`otherwise\` is never used: qualify rule \`${rules[alwaysAt].id}\` always holds`,
      suggestion: `set \`otherwise\` to \`${rules[alwaysAt].motion}\` and remove the rule, or give it a real condition`,
      code: 'qualify.otherwiseUnreachable',
      severity: 'warning',
    });
  }
  def.listen.signals.forEach((s, i) => {
    if (constantTruth(s.when)?.value === false)
      problems.push(never(`/listen/signals/${i}/when`, `delight signal \`${s.id}\``, 'fix the condition or remove the signal'));
  });
  (def.expand?.promotions ?? []).forEach((p, i) => {
    if (constantTruth(p.when)?.value === false)
      problems.push(never(`/expand/promotions/${i}/when`, `promotion \`${p.id}\``, 'fix the condition or remove the promotion'));
  });
  for (const [motion, plan] of Object.entries(def.motions)) {
    if (!plan) continue;
    (plan.invite.variants ?? []).forEach((v, i) => {
      if (constantTruth(v.when)?.value === false)
        problems.push(
          never(`/motions/${motion}/invite/variants/${i}/when`, `variant \`${v.id}\``, 'fix the condition or remove the variant'),
        );
    });
    plan.activate.actions.forEach((a, i) => {
      if (constantTruth(a.when)?.value === false)
        problems.push(never(`/motions/${motion}/activate/actions/${i}/when`, `action \`${a.event}\``, 'fix the condition or remove it'));
    });
  }
  return problems;
}
