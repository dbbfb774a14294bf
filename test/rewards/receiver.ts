// A stand-in for a company's billing / gift-card system: receives reward webhooks (signature, Idempotency-Key and
// faults as test/support/signed-receiver.ts does) and pays each key at most once: a repeated key is answered as a
// duplicate and never paid twice.
import { startSignedReceiver, type SignedReceiverFaults } from '../support/signed-receiver.ts';

export interface RewardReceiver extends SignedReceiverFaults {
  /** Payouts (action issue) and reversals (action reverse), by Idempotency-Key: each at most once. */
  payouts: Map<string, Record<string, unknown>>;
  reversals: Map<string, Record<string, unknown>>;
}

export async function startRewardReceiver(secret: string): Promise<RewardReceiver> {
  const payouts = new Map<string, Record<string, unknown>>();
  const reversals = new Map<string, Record<string, unknown>>();
  const receiver = await startSignedReceiver<Record<string, unknown>>(secret, '/rewards', {
    labelOf: (payload) => String(payload.action),
    accept(key, payload) {
      const book = payload.action === 'reverse' ? reversals : payouts;
      const first = !book.has(key);
      if (first) book.set(key, payload);
      return { status: 200, body: { id: key, duplicate: !first } };
    },
  });
  return Object.assign(receiver, { payouts, reversals });
}
