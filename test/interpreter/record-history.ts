// Recorded histories for the replay test (test/interpreter-replay.test.ts): with RECORD_HISTORIES=1 (npm run
// histories:record), tests that drive a behaviour worth guarding write their run's history to
// test/histories/<release>/<name>.json, where <release> is the workflow code's release (workflows/release.ts).
// Folders of earlier releases are never rewritten: they stand for runs whose history an older release started.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { RELEASE } from '../../workflows/release.ts';

export const HISTORIES_DIR = join(process.cwd(), 'test', 'histories');

export const recording = (): boolean => process.env.RECORD_HISTORIES === '1';

/** Writes the history of `handle` (its run, or the workflow's latest) as test/histories/<RELEASE>/<name>.json. */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!recording()) return;
  const dir = join(HISTORIES_DIR, RELEASE);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), historyToJSON(await handle.fetchHistory()));
}
