// The advocate's referral code as this run shows it (the {{referralCode}} of every ask) and accepts it back on
// conversion events. New runs carry an opaque code: the one the API minted (JourneyRunInput.referralCode, see
// api/referral-code.ts), else one drawn from the workflow's seeded random. Runs from before opaque codes keep the
// old reversible `ref_` + base64url(customer id) code they already sent (written without Buffer, which workflow
// code may not use).
import type { JourneyRunInput } from '../contract/index.ts';
import { patched, uuid4 } from '@temporalio/workflow';
import type { JourneyState } from './state.ts';

export const PATCH_OPAQUE_REFERRAL_CODE = 'opaque-referral-code';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The old code format; only runs without an opaque code (started before it) send or accept it. */
export function legacyReferralCodeFor(customerId: string): string {
  const bytes = new TextEncoder().encode(customerId);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63].map((c) => ALPHABET[c]);
    out += chars.slice(0, bytes.length - i >= 3 ? 4 : bytes.length - i + 1).join('');
  }
  return `ref_${out}`;
}

/** At the start of each run: keep the carried code, else take the API's (or draw one), for new runs only. */
export function adoptReferralCode(state: JourneyState, input: JourneyRunInput, carried: boolean): void {
  if (state.referralCode) return;
  // A run carried over from before opaque codes already sent its old code: it keeps it.
  if (carried) return;
  if (!patched(PATCH_OPAQUE_REFERRAL_CODE)) return;
  state.referralCode =
    typeof input.referralCode === 'string' && input.referralCode ? input.referralCode : `rc_${uuid4().replace(/-/g, '')}`;
}

/** The code this run puts in its asks. */
export function referralCodeOf(state: JourneyState): string {
  return state.referralCode ?? legacyReferralCodeFor(state.customerId);
}

/** Whether a code on a conversion event is this run's. */
export function isOwnReferralCode(state: JourneyState, code: string): boolean {
  return code === referralCodeOf(state);
}
