// "Up" for `npm run start:cluster`: the workers poll the task queue, as the server sees it.
import type { WorkflowService } from '@temporalio/client';

/**
 * The names of a task queue's partitions as the server knows them: the root, then `/_sys/<name>/<n>`. The cluster
 * keeps the server's default of 4 (matching.numTaskqueueReadPartitions).
 */
export function taskQueuePartitions(taskQueue: string, partitions = 4): string[] {
  return [taskQueue, ...Array.from({ length: partitions - 1 }, (_, i) => `/_sys/${taskQueue}/${i + 1}`)];
}

/**
 * Waits until `want` distinct workers poll `taskQueue`'s workflow tasks, on any of its partitions. A poll goes to one
 * partition and, with no task to hand out, waits there up to a minute: a worker whose first polls landed on the other
 * partitions was unseen at the root for that minute: one start of the eight timed on 2026-12-07 took 74 s, not 11-15 s.
 * Just after a restart the frontend serves before matching has joined the membership ring, and answers UNAVAILABLE
 * "Not enough hosts to serve the request" until it has (seen on a second `npm run start:cluster` a few seconds after
 * the first stopped, which it failed): that is waited out, as the workers' own polls wait it out. Any other error, or
 * the deadline, ends the wait.
 */
export async function waitForPollers(
  service: Pick<WorkflowService, 'describeTaskQueue'>,
  opts: { namespace: string; taskQueue: string; want: number; timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const pollersOf = (name: string) =>
    service.describeTaskQueue({ namespace: opts.namespace, taskQueue: { name }, taskQueueType: 1 }).then(
      ({ pollers }) => pollers.map((p) => p.identity),
      (err: { code?: number }) => {
        if (err.code !== 14 || Date.now() > deadline) throw err; // 14 UNAVAILABLE
        return [];
      },
    );
  for (;;) {
    const seen = await Promise.all(taskQueuePartitions(opts.taskQueue).map(pollersOf));
    const live = new Set(seen.flat()).size;
    if (live >= opts.want) return;
    if (Date.now() > deadline) throw new Error(`only ${live} of ${opts.want} workers poll "${opts.taskQueue}"`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
