// Recorded histories for the replay test (test/interpreter-replay.test.ts replays every test/histories/*.json):
// a test that drives a behaviour behind a patched() id writes its run's history when RECORD_HISTORIES=1, so later
// interpreter changes must keep replaying runs that took the patched path too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  writeFileSync(join(process.cwd(), 'test', 'histories', `${name}.json`), historyToJSON(await handle.fetchHistory()));
}
