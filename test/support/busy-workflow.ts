// A workflow that computes for a while without yielding (test/replay-deadlock-watch.test.ts): long enough to trip a
// short vm timeout, short enough to finish once none is armed.
export async function busyWorkflow(iterations: number): Promise<number> {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + (i % 7)) % 1_000_003;
  return x;
}
