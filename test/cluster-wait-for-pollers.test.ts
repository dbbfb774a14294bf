// `npm run start:cluster` is up once its workers poll (scripts/cluster/wait-for-pollers.ts). A second start a few
// seconds after the first stopped failed with "could not start: 14 UNAVAILABLE: Not enough hosts to serve the request":
// the frontend served before matching had joined the ring. These replay the server's answers in that order.
import { describe, expect, it } from 'vitest';
import type { WorkflowService } from '@temporalio/client';
import { waitForPollers } from '../scripts/cluster/wait-for-pollers.ts';

type Answer = { code: number; message: string } | string[];
function serverAnswering(answers: Answer[]) {
  const calls: unknown[] = [];
  const service = {
    describeTaskQueue: async (req: unknown) => {
      calls.push(req);
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      if (!Array.isArray(next)) throw Object.assign(new Error(next.message), { code: next.code });
      return { pollers: next.map((identity) => ({ identity })) };
    },
  } as unknown as Pick<WorkflowService, 'describeTaskQueue'>;
  return { service, calls };
}
const opts = { namespace: 'default', taskQueue: 'journeys', want: 2, timeoutMs: 5000, intervalMs: 10 };
const unavailable = { code: 14, message: 'Not enough hosts to serve the request' };

describe("start:cluster's wait for its workers", () => {
  it('waits out UNAVAILABLE while matching joins the ring, then for both workers', async () => {
    const { service, calls } = serverAnswering([unavailable, unavailable, ['w1@host'], ['w1@host', 'w1@host'], ['w1@host', 'w2@host']]);
    await waitForPollers(service, opts);
    expect(calls).toHaveLength(5);
    expect(calls[0]).toEqual({ namespace: 'default', taskQueue: { name: 'journeys' }, taskQueueType: 1 });
  });

  it('any other error ends the wait at once', async () => {
    const { service, calls } = serverAnswering([{ code: 7, message: 'Request unauthorized.' }]);
    await expect(waitForPollers(service, opts)).rejects.toThrow('Request unauthorized.');
    expect(calls).toHaveLength(1);
  });

  it('UNAVAILABLE past the deadline, or too few workers, ends it with the reason', async () => {
    await expect(waitForPollers(serverAnswering([unavailable]).service, { ...opts, timeoutMs: 50 })).rejects.toThrow(/Not enough hosts/);
    await expect(waitForPollers(serverAnswering([['w1@host']]).service, { ...opts, timeoutMs: 50 })).rejects.toThrow(
      'only 1 of 2 workers poll "journeys"',
    );
  });
});
