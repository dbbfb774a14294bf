// An ask whose email cannot go out now: the setup is broken (EmailConfigurationError: bad token, unconfirmed
// sender, unknown template), or Postmark did not take it within the email activity's retry bound (unavailable: an
// outage, timeouts). Nothing went out. Invite keeps the ask (same send key, same contact slot) and tries again later
// with backoff, saying so in the state and current details ("email misconfigured" / "email unavailable") instead of
// dropping the ask after one note, until Activate would no longer wait for its answer.
import { EMAIL_FAILURE } from '../contract/index.ts';
import { iso, track, type RunContext } from '../journey/context.ts';
import { note } from '../journey/state.ts';
import { showProgress } from '../journey/visibility.ts';
import type { Step } from './invite-attempt.ts';

/** The same ask is tried again after 1 h, 2 h, 4 h … at most a day apart. */
const RETRY_FIRST_MS = 3_600_000;
const RETRY_MAX_MS = 86_400_000;

export function misconfigured(
  ctx: RunContext,
  a: { label: string; attempt: number; giveUpAt: number },
  sendKey: string,
  message: string,
  kind: 'misconfigured' | 'unavailable' = 'misconfigured',
): Step {
  const { state } = ctx;
  const failures = (state.emailProblem?.sendKey === sendKey ? state.emailProblem.failures : 0) + 1;
  const retryAt = ctx.now() + Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
  const failure = kind === 'misconfigured' ? EMAIL_FAILURE.configuration : EMAIL_FAILURE.transient;
  const reason = `${failure}: ${message}`;
  const giveUp = retryAt >= a.giveUpAt;
  state.emailProblem = { kind, reason, at: iso(ctx.now()), sendKey, failures, retryAt: giveUp ? undefined : iso(retryAt) };
  track(ctx, 'ask.failed', { attempt: a.attempt, sendKey, reason: failure, failures });
  if (giveUp) {
    note(
      state,
      ctx.now(),
      `${a.label} not sent after ${failures} tries: email ${kind} (${reason}); Activate would no longer wait for an answer`,
    );
    return { kind: 'never' };
  }
  note(state, ctx.now(), `${a.label} not sent: email ${kind} (${reason}); trying again at ${iso(retryAt)}`);
  showProgress(ctx);
  return { kind: 'send-again-at', at: retryAt };
}
