// The workflow bundler's own process: `node --import tsx worker/bundle-main.ts <out-file> [failure-converter-path]`.
// Run by the worker process (worker/bundle-process.ts) so that webpack's memory lives and dies here: bundled in the
// worker's own process, it stayed in the worker's RSS for the worker's whole life (worker/bundle-process.ts says how much).
import { renameSync, writeFileSync } from 'node:fs';
import { bundleJourneyWorkflows } from './worker.ts';

const [outFile, failureConverterPath] = process.argv.slice(2);
if (!outFile) {
  console.error('usage: node --import tsx worker/bundle-main.ts <out-file> [failure-converter-path]');
  process.exit(2);
}
const { code } = await bundleJourneyWorkflows(undefined, failureConverterPath ? { failureConverterPath } : undefined);
// Written whole or not at all: the worker reads the file only after this process exits 0.
writeFileSync(`${outFile}.part`, code);
renameSync(`${outFile}.part`, outFile);
