// `npm run start:cluster` is up once its workers poll (scripts/cluster/wait-for-pollers.ts). A second start a few
// seconds after the first stopped failed with "could not start: 14 UNAVAILABLE: Not enough hosts to serve the request":
// the frontend served before matching had joined the ring. These replay the server's answers in that order.
import { describe, expect, it } from 'vitest';
import type { WorkflowService } from '@temporalio/client';
import { taskQueuePartitions, waitForPollers } from '../scripts/cluster/wait-for-pollers.ts';

type Answer = { code: number; message: string } | string[];
/** The server's answers for the root partition in turn; the other partitions see no poller unless `partitions` says. */
function serverAnswering(answers: Answer[], partitions: Record<string, string[]> = {}) {
  const calls: { taskQueue: { name: string } }[] = [];
  const service = {
    describeTaskQueue: async (req: { taskQueue: { name: string } }) => {
      calls.push(req);
      if (req.taskQueue.name !== 'journeys') return { pollers: (partitions[req.taskQueue.name] ?? []).map((identity) => ({ identity })) };
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      if (!Array.isArray(next)) throw Object.assign(new Error(next.message), { code: next.code });
      return { pollers: next.map((identity) => ({ identity })) };
    },
  } as unknown as Pick<WorkflowService, 'describeTaskQueue'>;
  const rootCalls = () => calls.filter((c) => c.taskQueue.name === 'journeys');
  return { service, calls, rootCalls };
}
const opts = { namespace: 'default', taskQueue: 'journeys', want: 2, timeoutMs: 5000, intervalMs: 10 };
const unavailable = { code: 14, message: 'Not enough hosts to serve the request' };

describe("start:cluster's wait for its workers", () => {
  it('waits out UNAVAILABLE while matching joins the ring, then for both workers', async () => {
    const { service, calls, rootCalls } = serverAnswering([
      unavailable,
      unavailable,
      ['w1@host'],
      ['w1@host', 'w1@host'],
      ['w1@host', 'w2@host'],
    ]);
    await waitForPollers(service, opts);
    expect(rootCalls()).toHaveLength(5);
    expect(calls[0]).toEqual({ namespace: 'default', taskQueue: { name: 'journeys' }, taskQueueType: 1 });
  });

  it("counts a worker seen on any of the queue's partitions: a poll waits up to a minute on the one it went to", async () => {
    expect(taskQueuePartitions('journeys')).toEqual(['journeys', '/_sys/journeys/1', '/_sys/journeys/2', '/_sys/journeys/3']);
    // Only w1 at the root; w2's poll sits on partition 2. The root alone would keep the wait going for that minute.
    const { service, calls, rootCalls } = serverAnswering([['w1@host']], { '/_sys/journeys/2': ['w2@host'] });
    await waitForPollers(service, opts);
    expect(rootCalls()).toHaveLength(1);
    expect(calls.map((c) => c.taskQueue.name).sort()).toEqual(taskQueuePartitions('journeys').sort());
  });

  it('any other error ends the wait at once', async () => {
    const { service, rootCalls } = serverAnswering([{ code: 7, message: 'Request unauthorized.' }]);
    await expect(waitForPollers(service, opts)).rejects.toThrow('Request unauthorized.');
    expect(rootCalls()).toHaveLength(1);
  });

  it('UNAVAILABLE past the deadline, or too few workers, ends it with the reason', async () => {
    await expect(waitForPollers(serverAnswering([unavailable]).service, { ...opts, timeoutMs: 50 })).rejects.toThrow(/Not enough hosts/);
    await expect(waitForPollers(serverAnswering([['w1@host']]).service, { ...opts, timeoutMs: 50 })).rejects.toThrow(
      'only 1 of 2 workers poll "journeys"',
    );
  });
});
