// An ask the email activity could not send because the email setup is broken (EmailConfigurationError): kept and
// tried again with backoff until Activate would no longer wait for its answer (from workflows/stages/invite.ts).
import { iso, track, type RunContext } from '../journey/context.ts';
import { note } from '../journey/state.ts';
import { showProgress } from '../journey/visibility.ts';

/** After an EmailConfigurationError the same ask is tried again after 1 h, 2 h, 4 h … at most a day apart. */
const MISCONFIGURED_RETRY_FIRST_MS = 3_600_000;
const MISCONFIGURED_RETRY_MAX_MS = 86_400_000;

/**
 * The email setup is broken (bad token, unconfirmed sender, unknown template): nothing went out, and nothing will
 * until someone fixes it. Keep the ask (same send key, same contact slot) and try again later with backoff, and say
 * so in the state and current details ("email misconfigured") instead of dropping the ask after one note.
 */
export function misconfigured(
  ctx: RunContext,
  a: { label: string; attempt: number; giveUpAt: number },
  sendKey: string,
  failure: { type: string; message: string },
): { kind: 'never' } | { kind: 'send-again-at'; at: number } {
  const { state } = ctx;
  const failures = (state.emailProblem?.sendKey === sendKey ? state.emailProblem.failures : 0) + 1;
  const retryAt = ctx.now() + Math.min(MISCONFIGURED_RETRY_FIRST_MS * 2 ** (failures - 1), MISCONFIGURED_RETRY_MAX_MS);
  const reason = `${failure.type}: ${failure.message}`;
  const giveUp = retryAt >= a.giveUpAt;
  state.emailProblem = { kind: 'misconfigured', reason, at: iso(ctx.now()), sendKey, failures, retryAt: giveUp ? undefined : iso(retryAt) };
  track(ctx, 'ask.failed', { attempt: a.attempt, sendKey, reason: failure.type, failures });
  if (giveUp) {
    note(
      state,
      ctx.now(),
      `${a.label} not sent after ${failures} tries: email misconfigured (${reason}); Activate would no longer wait for an answer`,
    );
    return { kind: 'never' };
  }
  note(state, ctx.now(), `${a.label} not sent: email misconfigured (${reason}); trying again at ${iso(retryAt)}`);
  showProgress(ctx);
  return { kind: 'send-again-at', at: retryAt };
}
