// `journey simulate` for a 90-day timeline (goal: under 3 s wall), in process, as the command runs it: the replay
// engine (cli/replay/) with the cached workflow bundle, one time-skipping server, the real activities writing to a
// temporary folder. Baseline, same run: the bare floor of any simulation — a time-skipping server started, a worker
// created and one trivial workflow run through a 90-day timer (bench/baseline-workflows.ts rawJourneyBaseline).
// Both are timed in parts (server start, the rest) because the Java test server's start-up dominates.
//   node --import tsx bench/simulate.ts [RUNS=3]
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadJourneyFile } from '../definitions/loader.ts';
import { quietWorkerLogs } from '../cli/replay/engine.ts';
import { testServerPath } from '../cli/replay/test-server-path.ts';
import { simulateTimeline, type Timeline } from '../cli/simulate/run-timeline.ts';
import { createTimeSkippingEnv } from '../scripts/time-skipping-env.ts';

const runs = Number(process.argv[2] ?? 3);
const serverPath = testServerPath();
quietWorkerLogs();
const { plan } = await loadJourneyFile('definitions/journeys/nps-promoter-referral.json');
const tokyo = JSON.parse(readFileSync('cli/simulate/nps-tokyo.timeline.json', 'utf8')) as Timeline;
const timeline: Timeline = { ...tokyo, runDays: 90 - 34 }; // last event on day 34: a 90-day timeline
const { code } = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)),
  logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
});

async function baseline(): Promise<{ total: number; start: number }> {
  const t0 = Date.now();
  const env = await createTimeSkippingEnv(serverPath);
  const start = Date.now() - t0;
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'baseline',
      workflowBundle: { code },
      activities: { rawBaselineActivity: async (n: string) => n },
    });
    await worker.runUntil(
      env.client.workflow.execute('rawJourneyBaseline', {
        workflowId: 'b',
        taskQueue: 'baseline',
        args: [[[{ timerMs: 90 * 86_400_000 }]]],
      }),
    );
  } finally {
    await env.teardown();
  }
  return { total: Date.now() - t0, start };
}

async function ours(): Promise<{ total: number; start: number; lines: number }> {
  const t0 = Date.now();
  let start = 0;
  const result = await simulateTimeline(plan!, timeline, {
    testServerPath: serverPath,
    log: (l) => {
      if (l.startsWith('replaying')) start = Date.now() - t0; // servers up, bundle loaded
    },
  });
  return { total: Date.now() - t0, start, lines: result.records.length };
}

await ours(); // warm-up: builds the cached bundle if the sources changed, and warms the JVM's files
for (let i = 1; i <= runs; i++) {
  const raw = await baseline();
  const our = await ours();
  console.log(
    `run ${i}: ours ${(our.total / 1000).toFixed(2)} s (server start + bundle ${(our.start / 1000).toFixed(2)} s, ${our.lines} dated facts); ` +
      `raw ${(raw.total / 1000).toFixed(2)} s (server start ${(raw.start / 1000).toFixed(2)} s); ratio ours/raw ${(our.total / raw.total).toFixed(2)}x; ` +
      `goal 3 s: ${our.total <= 3000 ? 'met' : 'missed'}`,
  );
}
