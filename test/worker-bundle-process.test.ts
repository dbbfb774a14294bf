// The worker process bundles its workflows in a child process (worker/bundle-process.ts), so webpack's memory is not
// the worker's for its whole life. The bundle the child hands back must be the one the worker bundled itself before:
// the same workflows, with the encoding failure converter when payloads are encrypted; and a bundler that fails must
// stop the worker with the bundler's own words; a worker killed while it bundles leaves no bundler running and no
// file behind. (The memory it saves is a benchmark figure: bench/README.md.)
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleJourneyWorkflowsInChild, WorkflowBundleError } from '../worker/bundle-process.ts';
import { FAILURE_CONVERTER_PATH } from '../worker/data-converter.ts';
import { eventually, waitFor } from './support/wait.ts';
import { CUSTOMER_WORKFLOW_TYPE, JOURNEY_WORKFLOW_TYPE } from '../workflows/contract/index.ts';

describe('the workflow bundle built in a child process', () => {
  it('holds the journey and customer workflows, and the failure converter it was given', async () => {
    const plain = await bundleJourneyWorkflowsInChild();
    expect(plain.code).toContain(`function ${JOURNEY_WORKFLOW_TYPE}(`);
    expect(plain.code).toContain(`function ${CUSTOMER_WORKFLOW_TYPE}(`);
    expect(plain.code).not.toContain('encodeCommonAttributes: true');

    const encrypted = await bundleJourneyWorkflowsInChild({ failureConverterPath: FAILURE_CONVERTER_PATH });
    expect(encrypted.code).toContain('encodeCommonAttributes: true');
  }, 120_000);

  it("rejects with the bundler's output when it cannot bundle", async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'bundle-broken-')), 'failure-converter.cjs');
    writeFileSync(broken, 'exports.failureConverter = = ;\n');
    const err = await bundleJourneyWorkflowsInChild({ failureConverterPath: broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowBundleError);
    expect((err as Error).message).toMatch(/the workflow bundler exited with code 1/);
    expect((err as Error).message).toContain('Webpack finished with errors');
  }, 120_000);

  it('leaves no bundler and no file behind when the worker is killed while it bundles', async () => {
    // A stand-in worker with a TMPDIR of its own: whatever it or its bundler leaves on disk is in there.
    const tmp = mkdtempSync(join(tmpdir(), 'bundle-killed-'));
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', "await (await import('./worker/bundle-process.ts')).bundleJourneyWorkflowsInChild()"],
      { cwd: join(import.meta.dirname, '..'), env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' },
    );
    const bundler = await waitFor(`the bundle-main.ts child of ${worker.pid}`, () => childOf(worker.pid!, 'bundle-main.ts'), 30_000, 50);
    worker.kill('SIGKILL');
    const gone = await eventually(
      async () => ended(bundler),
      (v) => v,
      30_000,
    );
    expect(gone, `bundler ${bundler} still running 30 s after its worker was killed`).toBe(true);
    // tsx keeps its compile cache in TMPDIR (tsx-<uid>); anything else was left by the bundle.
    expect(readdirSync(tmp).filter((entry) => !entry.startsWith('tsx-'))).toEqual([]);
  }, 90_000);
});

/** The child process of `parent` whose command line holds `command` (Linux /proc), if it has one now. */
function childOf(parent: number, command: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(command)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/** Whether a process has ended: gone, or a zombie (reparented, not yet reaped). */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}
