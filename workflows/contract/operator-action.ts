// The one check of an operator action ({ actor?, reason? }) wherever it arrives: the API checks its body with the same
// limits (api/schemas.ts operatorActionSchema), and the runs' update validators check what any other client sends,
// so a malformed action is refused before it is accepted, never thrown from a handler (that fails the workflow task).
import { isUnreadablePayload } from './unreadable-payload.ts';

export const OPERATOR_ACTOR_MAX = 200;
export const OPERATOR_REASON_MAX = 1000;

/** Why this is not an operator action, or undefined when it is one (absent is one: no actor, no reason). */
export function operatorActionProblem(action: unknown): string | undefined {
  if (action === undefined) return undefined;
  if (typeof action !== 'object' || action === null || Array.isArray(action) || isUnreadablePayload(action))
    return 'an operator action is an object { actor?, reason? }';
  const { actor, reason } = action as Record<string, unknown>;
  if (actor !== undefined && (typeof actor !== 'string' || actor.length > OPERATOR_ACTOR_MAX))
    return `actor is text of at most ${OPERATOR_ACTOR_MAX} characters`;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > OPERATOR_REASON_MAX))
    return `reason is text of at most ${OPERATOR_REASON_MAX} characters`;
  return undefined;
}
