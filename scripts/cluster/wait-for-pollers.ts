// "Up" for `npm run start:cluster`: the workers poll the task queue, as the server sees it.
import type { WorkflowService } from '@temporalio/client';

/**
 * Waits until `want` distinct workers poll `taskQueue`'s workflow tasks. Just after a restart the frontend serves
 * before matching has joined the membership ring, and answers UNAVAILABLE "Not enough hosts to serve the request" until
 * it has (seen on a second `npm run start:cluster` a few seconds after the first stopped, which it failed): that is
 * waited out, as the workers' own polls wait it out. Any other error, or the deadline, ends the wait.
 */
export async function waitForPollers(
  service: Pick<WorkflowService, 'describeTaskQueue'>,
  opts: { namespace: string; taskQueue: string; want: number; timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const live = await service.describeTaskQueue({ namespace: opts.namespace, taskQueue: { name: opts.taskQueue }, taskQueueType: 1 }).then(
      ({ pollers }) => new Set(pollers.map((p) => p.identity)).size,
      (err: { code?: number }) => {
        if (err.code !== 14 || Date.now() > deadline) throw err; // 14 UNAVAILABLE
        return 0;
      },
    );
    if (live >= opts.want) return;
    if (Date.now() > deadline) throw new Error(`only ${live} of ${opts.want} workers poll "${opts.taskQueue}"`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
