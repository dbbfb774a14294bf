// The advocate's referral code, in the API's format (api/referral-code.ts): `ref_` + base64url(UTF-8 customer id).
// Written without Buffer, which workflow code may not use.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function referralCodeFor(customerId: string): string {
  const bytes = new TextEncoder().encode(customerId);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63].map((c) => ALPHABET[c]);
    out += chars.slice(0, bytes.length - i >= 3 ? 4 : bytes.length - i + 1).join('');
  }
  return `ref_${out}`;
}
