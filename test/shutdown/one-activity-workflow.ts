// A workflow that runs one activity, named by the test, with one argument, on a single attempt: it keeps an
// activity in flight while the test shuts its worker down.
import { proxyActivities } from '@temporalio/workflow';

type AnyActivity = (arg: unknown) => Promise<unknown>;

export async function runOneActivity(name: string, arg: unknown): Promise<unknown> {
  const activities = proxyActivities<Record<string, AnyActivity>>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });
  return activities[name](arg);
}
