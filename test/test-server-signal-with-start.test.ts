// The time-skipping test server's SignalWithStart during a continue-as-new, and the drivers' answer to it
// (signalWithStartOnTestServer in scripts/time-skipping-env.ts). The server looks the workflow id up and, when that run
// has just closed by handing over, starts one without the request's workflowIdConflictPolicy; the chain's next run is
// open by then, and the call is refused (WorkflowExecutionAlreadyStartedError). The growth test's driver met it once
// in CI, on customer:<id>. Here 16 callers signal a workflow that hands over every 3 signals, so the refusal comes up
// several times a run (3 and 15 refusals in 3,000 signals with 4 and 16 callers, a scratch loop before this test).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv, uniqueTaskQueue } from './support/temporal.ts';
import { signalWithStartOnTestServer } from '../scripts/time-skipping-env.ts';
import { pokeSignal, takenQuery } from './support/handover-workflow.ts';

const SIGNALS = 1_600;
const CALLERS = 16;
const EVERY = 3;

describe('signal-with-start on the time-skipping test server, during a handover', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('every signal reaches the chain once: a call refused while the run hands over is sent again', { timeout: 120_000 }, async () => {
    const taskQueue = uniqueTaskQueue('handover');
    const workflowId = `handover-${taskQueue}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./support/handover-workflow.ts', import.meta.url)),
    });
    let refused = 0;
    const taken = await worker.runUntil(async () => {
      await Promise.all(
        Array.from({ length: CALLERS }, async (_, lane) => {
          for (let i = lane; i < SIGNALS; i += CALLERS) {
            await signalWithStartOnTestServer(env.client, () => refused++, 'handoverEvery', {
              workflowId,
              taskQueue,
              args: [EVERY],
              signal: pokeSignal,
              signalArgs: [i],
              workflowIdConflictPolicy: 'USE_EXISTING',
            });
          }
        }),
      );
      // Signals are recorded when the call returns; the count is read once the chain's open run has taken them all.
      const handle = env.client.workflow.getHandle(workflowId);
      const deadline = Date.now() + 30_000;
      let n = await handle.query(takenQuery);
      while (n < SIGNALS && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        n = await handle.query(takenQuery);
      }
      return n;
    });
    console.log(`${SIGNALS} signals from ${CALLERS} callers, ${refused} refused during a handover and sent again`);
    expect(taken).toBe(SIGNALS);
  });
});
