// The workflow bundler's own process. Run by the worker process (worker/bundle-process.ts) so that webpack's memory
// lives and dies here: bundled in the worker's own process, it stayed in the worker's RSS for the worker's whole life
// (worker/bundle-process.ts says how much).
// - Spawned with an IPC channel (the worker): the bundle goes back as one message, and nothing touches the disk. When
//   the worker dies first, the channel closes and this process exits at once rather than bundle for nobody.
// - By hand: `node --import tsx worker/bundle-main.ts <out-file> [failure-converter-path]` writes the bundle to a file.
import { renameSync, writeFileSync } from 'node:fs';

/** What the worker receives over the channel. */
export interface BundleMessage {
  code: string;
}

const [out, failureConverterPath] = process.argv.slice(2);
const send = process.send?.bind(process);
if (send) {
  process.once('disconnect', () => {
    console.error('workflow bundler: the worker that asked for the bundle is gone; stopping');
    process.exit(1);
  });
} else if (!out || out === '-') {
  console.error('usage: node --import tsx worker/bundle-main.ts <out-file> [failure-converter-path]');
  process.exit(2);
}
// Imported only now: loading webpack takes seconds, and a worker that dies meanwhile must already be heard.
const { bundleJourneyWorkflows } = await import('./worker.ts');
const { code } = await bundleJourneyWorkflows(undefined, failureConverterPath ? { failureConverterPath } : undefined);
if (send) {
  const message: BundleMessage = { code };
  send(message, undefined, {}, (err: Error | null) => {
    if (err) {
      console.error(`workflow bundler: could not hand the bundle to the worker: ${err.message}`);
      process.exit(1);
    }
    process.removeAllListeners('disconnect');
    process.disconnect();
  });
} else {
  // Written whole or not at all.
  writeFileSync(`${out}.part`, code);
  renameSync(`${out}.part`, out);
}
