// An experiment's assignment of a customer to an arm or to control: a hash of the experiment id and the customer id,
// so it is the same in every cycle, after continue-as-new, on replay and in any process that asks (the API, the
// report, a backtest), with nothing stored to look it up. Workflow-safe: pure arithmetic, no crypto module.

export interface ArmShare {
  id: string;
  weight: number;
}

export type Assignment = { group: 'control' } | { group: 'arm'; arm: string };

/** cyrb53: a fast 53-bit string hash with good avalanche (public domain, bryc). */
function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Where in [0, 1) this customer falls for this experiment. */
export function assignmentPoint(experimentId: string, customerId: string): number {
  // A separator no id can contain keeps ("a", "b:c") and ("a:b", "c") apart.
  return hash53(`${experimentId}\u0000${customerId}`) / 2 ** 53;
}

/**
 * Control takes [0, holdout), then each arm its weight in the order declared. The weights and the holdout add up to
 * 1 (the compiler checks it); a rounding shortfall falls to the last arm.
 */
export function assignArm(experimentId: string, customerId: string, arms: ArmShare[], holdout: number): Assignment {
  const point = assignmentPoint(experimentId, customerId);
  if (point < holdout) return { group: 'control' };
  let edge = holdout;
  for (const arm of arms) {
    edge += arm.weight;
    if (point < edge) return { group: 'arm', arm: arm.id };
  }
  return { group: 'arm', arm: arms[arms.length - 1].id };
}
