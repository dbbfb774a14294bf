// A replay runs its workflows without the SDK's per-call vm timeout (cli/replay/deadlock-watch.ts): the worker's
// timer is dropped, and a watch of the main thread stops a process whose thread stops turning, with a clear line.
import { describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';
import { dropPerCallDeadlockTimer } from '../cli/replay/deadlock-watch.ts';

const WATCH = fileURLToPath(new URL('../cli/replay/deadlock-watch.ts', import.meta.url));

/** Runs `body` in a child node (tsx) that starts watchMainThread(limitMs, 'STUCK'); resolves with how it ended. */
function childWithWatch(
  limitMs: number,
  body: string,
): Promise<{ code: number | null; signal: string | null; stderr: string; ms: number }> {
  const script = `import { watchMainThread } from ${JSON.stringify(WATCH)}; const stop = watchMainThread(${limitMs}, 'STUCK'); ${body}`;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - started }));
  });
}

describe('a replay watches its thread instead of timing every call into a workflow', () => {
  it('a main thread that stops turning is stopped with the message; one that keeps turning is left alone', async () => {
    const [stuck, turning] = await Promise.all([
      childWithWatch(1500, 'for (;;) {}'),
      // Busy for 4 × 0.5 s, yielding between: never still for 1.5 s, so it ends by itself.
      childWithWatch(
        1500,
        'for (let n = 0; n < 4; n++) { const end = Date.now() + 500; while (Date.now() < end) {} await new Promise((r) => setTimeout(r, 10)); } stop();',
      ),
    ]);
    expect(stuck.signal).toBe('SIGTERM');
    expect(stuck.stderr).toContain('STUCK');
    expect(turning).toMatchObject({ code: 0, signal: null });
    expect(turning.stderr).not.toContain('STUCK');
  }, 60_000);

  it("with the timer dropped, a workflow task that computes past the SDK's limit completes; with it, the task fails", async () => {
    const env = await createTimeSkippingEnv(inject('testServerPath'));
    try {
      const { code } = await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('./support/busy-workflow.ts', import.meta.url)),
        logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
      });
      const run = async (drop: boolean) => {
        const taskQueue = `busy-${randomUUID()}`;
        // The replay's own way (cli/replay/engine.ts): workflows on this thread, with a limit far below the work.
        const worker = await Worker.create({
          connection: env.nativeConnection,
          taskQueue,
          workflowBundle: { code },
          debugMode: true,
          isolateExecutionTimeout: '20ms',
        } as Parameters<typeof Worker.create>[0]);
        const dropped = drop ? dropPerCallDeadlockTimer(worker) : false;
        const handle = await env.client.workflow.start('busyWorkflow', { taskQueue, workflowId: taskQueue, args: [300_000_000] });
        // With the timer, the SDK fails the task (or, disposing the run, the whole worker): either way no result, so
        // the wait also ends at the first failed task in the history. Without it the result comes, however long a
        // busy machine takes to compute it, up to a bound (60 s) far above that: a result later than it fails the test.
        let settled = false;
        const taskFailed = async (): Promise<undefined> => {
          for (const end = Date.now() + 60_000; !settled && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
            const { events } = await handle.fetchHistory();
            if ((events ?? []).some((e) => e.workflowTaskFailedEventAttributes)) return undefined;
          }
          return undefined;
        };
        let workerError = '';
        const value = await worker
          .runUntil(Promise.race([handle.result().catch(() => undefined), taskFailed()]) as Promise<number | undefined>)
          .catch((err: unknown) => {
            workerError = `${String(err)} ${String((err as Error)?.cause)}`;
            return undefined;
          })
          .finally(() => (settled = true));
        const { events } = await handle.fetchHistory();
        const taskFailures = (events ?? []).flatMap((e) =>
          e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message ?? ''] : [],
        );
        return {
          dropped,
          value,
          timedOut: [...taskFailures, workerError].some((m) => m.includes('Script execution timed out')),
          taskFailures,
        };
      };
      const withTimer = await run(false);
      expect(withTimer.value).toBeUndefined();
      expect(withTimer.timedOut).toBe(true);
      const dropped = await run(true);
      expect(dropped.dropped).toBe(true);
      expect(typeof dropped.value).toBe('number');
      expect(dropped.timedOut).toBe(false);
      expect(dropped.taskFailures).toEqual([]);
    } finally {
      await env.teardown();
    }
  }, 240_000);
});
