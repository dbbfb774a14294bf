// The workflow bundle, built in a child process (worker/bundle-main.ts) and handed to the worker as code.
// Why: webpack's work leaves its memory in the process that ran it. Measured on an idle worker (nothing to run), the
// process that bundled itself sat at 265-270 MB RSS, one given the bundle at 156-170 MB; after 1,000 customers of
// bench/scale.ts the worker that bundled itself held 456 MB at rest with 69 MB of V8 heap, and 336 MB bundled by a
// child (bench/README.md, scale: "The workflow bundle in its own process"). Same bundle; the child adds its own start.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BundleMessage } from './bundle-main.ts';

const BUNDLER = fileURLToPath(new URL('./bundle-main.ts', import.meta.url));
/** The repository root: the child resolves tsx from here whatever the caller's working directory. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export class WorkflowBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowBundleError';
  }
}

/**
 * Bundles workflows/ in a child process and returns the code. The child runs this process's Node with tsx, prints
 * webpack's summary to this process's stdout and its stderr as it goes, and hands the bundle back over an IPC channel:
 * no file on disk to leak, and a worker killed while it bundles takes the bundler with it (the child exits when the
 * channel closes). A failed bundle (a workflow that does not compile, a module the sandbox forbids) rejects with the
 * child's last output.
 */
export async function bundleJourneyWorkflowsInChild(opts: { failureConverterPath?: string } = {}): Promise<{ code: string }> {
  const args = ['--import', 'tsx', BUNDLER, '-', ...(opts.failureConverterPath ? [opts.failureConverterPath] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  let bundle: string | undefined;
  child.on('message', (message: BundleMessage) => {
    bundle = message.code;
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': it comes after the channel closed too, so the bundle's message has arrived if it was sent.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const output = tail.trim() ? `:\n${tail.trim()}` : '';
  if (code !== 0) throw new WorkflowBundleError(`the workflow bundler exited with ${signal ?? `code ${code}`}${output}`);
  if (bundle === undefined) throw new WorkflowBundleError(`the workflow bundler exited without handing back a bundle${output}`);
  return { code: bundle };
}
