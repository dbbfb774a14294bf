// One activity on the workflow's own queue (test/dev-server.test.ts: does the server hand it back eagerly?).
import { proxyActivities } from '@temporalio/workflow';

const { probeActivity } = proxyActivities<{ probeActivity(n: number): Promise<number> }>({ startToCloseTimeout: '30 seconds' });

export async function eagerProbe(n: number): Promise<number> {
  return probeActivity(n);
}
