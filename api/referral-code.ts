// Referral codes: each advocate's code is derived from their customer id, reversibly, so the API can route a
// conversion event that carries only a code to the referrer's run without a lookup table.
// Format: `ref_` + base64url(UTF-8 customer id), e.g. customer "acme-42" → "ref_YWNtZS00Mg".
// The interpreter must mint codes with the same format (a pure implementation: TextEncoder + base64url).
const PREFIX = 'ref_';

export function referralCodeFor(customerId: string): string {
  return PREFIX + Buffer.from(customerId, 'utf8').toString('base64url');
}

/** The advocate's customer id, or undefined when the code is not one of ours. */
export function customerIdFromReferralCode(code: string): string | undefined {
  if (!code.startsWith(PREFIX)) return undefined;
  const body = code.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const id = Buffer.from(body, 'base64url').toString('utf8');
  // A round trip guards against codes that decode to something else (padding tricks, invalid UTF-8).
  return id && referralCodeFor(id) === code ? id : undefined;
}
