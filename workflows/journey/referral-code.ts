// The advocate's referral code as this run shows it (the {{referralCode}} of every ask) and accepts it back on
// conversion events: an opaque code, the one the API minted (JourneyRunInput.referralCode, see api/referral-code.ts),
// else one drawn from the workflow's seeded random. It is carried over continue-as-new, so it never changes.
import { uuid4 } from '@temporalio/workflow';
import type { JourneyRunInput } from '../contract/index.ts';
import type { JourneyState } from './state.ts';

/** At the start of each run: keep the carried code, else take the API's (or draw one). */
export function adoptReferralCode(state: JourneyState, input: JourneyRunInput): void {
  if (state.referralCode) return;
  state.referralCode =
    typeof input.referralCode === 'string' && input.referralCode ? input.referralCode : `rc_${uuid4().replace(/-/g, '')}`;
}

/** The code this run puts in its asks (adoptReferralCode set it when the run started). */
export function referralCodeOf(state: JourneyState): string {
  return state.referralCode ?? '';
}

/** Whether a code on a conversion event is this run's. */
export function isOwnReferralCode(state: JourneyState, code: string): boolean {
  return Boolean(state.referralCode) && code === state.referralCode;
}
