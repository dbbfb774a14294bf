// A run that cancels a timer the server may already have fired (test/test-server-cancel-fired-timer.test.ts): it
// starts a short timer, and the `go` signal's workflow task computes for longer than the timer has left, then
// cancels it. When the timer fires during that task, the server holds its TimerFired until the task completes, and
// the completion carries a CancelTimer for it: the race of temporalio/sdk-java issues 2606 and 3088.
// The first task computes too, so that the signal, sent at once, arrives while it runs: the signal's task is then
// scheduled as the first completes, and the time-skipping server, which skips time while no task is scheduled or
// running, never skips to the timer in between.
import { CancellationScope, condition, defineSignal, isCancellation, setHandler, sleep } from '@temporalio/workflow';

export const goSignal = defineSignal<[number]>('go');

/** `thenSleepMs` > 0: the task that cancels the timer starts another instead of completing the run (the refusal of
 *  issue 3088); 0: it completes the run (the completion the server refused as "unhandled" beside a fired timer). */
export async function cancelFiredTimerWorkflow(
  timerMs: number,
  firstIterations: number,
  thenSleepMs: number,
): Promise<'fired' | 'canceled'> {
  compute(firstIterations);
  let iterations = 0;
  setHandler(goSignal, (n) => void (iterations = n));
  const scope = new CancellationScope();
  const timer = scope
    .run(() => sleep(timerMs))
    .then(
      () => 'fired' as const,
      (err: unknown) => {
        if (isCancellation(err)) return 'canceled' as const;
        throw err;
      },
    );
  await condition(() => iterations > 0);
  compute(iterations);
  scope.cancel();
  const outcome = await timer;
  if (thenSleepMs > 0) await sleep(thenSleepMs);
  return outcome;
}

function compute(iterations: number): void {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + (i % 7)) % 1_000_003;
  if (x < 0) throw new Error('unreachable: keeps the loop from being optimised away');
}
