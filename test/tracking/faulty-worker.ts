// A journey worker process for the tracking fault tests: the real worker (workflows, activities, tracking log) with
// one fault in its disk. TRACKING_FAULT=tear-and-hang: the first tracking write that holds a `qualified` record writes
// only half its bytes, says MID-FLUSH on stdout, and never returns, so the test can SIGKILL the process in the middle
// of a flush. TRACKING_FAULT=die-after-write: the first write that holds a `delight` record reaches the disk whole,
// and the process then dies at once (SIGKILL), before its worker reports anything more to the server.
// Run: node --import tsx test/tracking/faulty-worker.ts   (TEMPORAL_ADDRESS and TEMPORAL_TLS_*, JOURNEY_TASK_QUEUE, JOURNEY_DATA_DIR,
// WORKFLOW_BUNDLE: a prebuilt bundle; TRACKING_FAULT to arm a fault)
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createJourneyWorker } from '../../worker/worker.ts';
import { loadTemporalConfig } from '../../worker/temporal-config.ts';

const taskQueue = process.env.JOURNEY_TASK_QUEUE!;
const dataDir = process.env.JOURNEY_DATA_DIR!;
let armed = process.env.TRACKING_FAULT === 'tear-and-hang';
let dieArmed = process.env.TRACKING_FAULT === 'die-after-write';

async function write(handle: FileHandle, bytes: Buffer): Promise<void> {
  if (dieArmed && bytes.includes('"type":"delight"')) {
    dieArmed = false;
    for (let off = 0; off < bytes.length;) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    await handle.datasync();
    process.stdout.write('WROTE-THEN-DIES\n');
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined);
  }
  if (armed && bytes.includes('"type":"qualified"')) {
    armed = false;
    // Whole lines before the cut reach the disk, the cut line is torn; then the process stalls until it is killed.
    const cut = bytes.indexOf('"type":"qualified"');
    await handle.write(bytes, 0, cut);
    await handle.datasync();
    process.stdout.write('MID-FLUSH\n');
    await new Promise(() => undefined);
  }
  for (let off = 0; off < bytes.length;) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
}

// Its address and, on the production topology's shared server, its certificate (Temporal's envconfig variables).
const { connectionOptions } = loadTemporalConfig(process.env);
const connection = await NativeConnection.connect(connectionOptions);
const client = new Client({ connection: await Connection.connect(connectionOptions), namespace: 'default' });
const worker = await createJourneyWorker({
  connection,
  namespace: 'default',
  taskQueue,
  workflowBundle: { code: readFileSync(process.env.WORKFLOW_BUNDLE!, 'utf8') },
  activityDeps: { dataDir, rewardWebhook: null, customers: { client, taskQueue }, tracking: { dataDir, write } },
});
process.stdout.write(`READY pid ${process.pid}\n`);
await worker.run();
