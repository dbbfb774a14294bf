// Plan conditions are json-logic over { event, traits, history }. json-logic-js is pure, so it is safe in workflow code.
import jsonLogic from 'json-logic-js';
import { ApplicationFailure } from '@temporalio/workflow';

export interface ConditionScope {
  event: Record<string, unknown>;
  traits: Record<string, unknown>;
  history: Record<string, unknown>;
}

/** Whether `condition` holds; an absent condition always holds. A condition json-logic cannot run fails the run for good. */
export function holds(condition: unknown, scope: ConditionScope, where: string): boolean {
  if (condition === undefined || condition === true) return true;
  if (condition === false) return false;
  try {
    return Boolean(jsonLogic.apply(condition as jsonLogic.RulesLogic, scope));
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `bad plan: condition at ${where} cannot be evaluated: ${(err as Error).message}`,
      'JourneyBadPlan',
    );
  }
}
