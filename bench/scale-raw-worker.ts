// The worker process of bench/scale.ts's raw baseline (bench/scale-raw-workflows.ts) and its one activity.
// Run by bench/scale.ts: `node --import tsx bench/scale-raw-worker.ts`; prints READY once polling.
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createWithStackTraces, workflowStackTracesOf } from '../worker/workflow-stack-traces.ts';
import { applyHeapGrowth, heapGrowthPercent } from '../worker/heap-growth.ts';
import { loadTemporalConfig } from '../worker/temporal-config.ts';

await main();

async function main(): Promise<void> {
  const env = process.env;
  // The same heap growth as our worker (JOURNEY_WORKER_HEAP_GROWTH_PERCENT), for the same reason as the stack traces below.
  const heapGrowth = heapGrowthPercent(env, 'JOURNEY_WORKER_HEAP_GROWTH_PERCENT');
  applyHeapGrowth(heapGrowth);
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const effects = await open(env.RAW_EFFECT_FILE!, 'a');
  const connection = await NativeConnection.connect(loadTemporalConfig(env).connectionOptions);
  const options = {
    connection,
    taskQueue: env.RAW_TASK_QUEUE!,
    workflowsPath: fileURLToPath(new URL('./scale-raw-workflows.ts', import.meta.url)),
    activities: {
      async rawRecordEffect(eventId: string): Promise<void> {
        await effects.write(`${JSON.stringify({ eventId, loggedAt: new Date().toISOString() })}\n`);
        await effects.datasync();
      },
    },
    ...(env.JOURNEY_WORKER_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: Number(env.JOURNEY_WORKER_MAX_CACHED_WORKFLOWS) } : {}),
  };
  // The same stack-trace setting as our worker (JOURNEY_WORKER_STACK_TRACES), so the two compare like for like.
  const stackTraces = workflowStackTracesOf(env, 'JOURNEY_WORKER_STACK_TRACES');
  const worker = (await createWithStackTraces(stackTraces, () => Worker.create(options))).value;
  console.log(`READY (workflow stack traces ${stackTraces}; heap growth ${heapGrowth} %)`);
  await worker.run();
  await effects.close();
  await connection.close();
}
