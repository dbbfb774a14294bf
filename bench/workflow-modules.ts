// Benchmark: what a journey worker pays to bring a run into its cache, with the workflow modules shared by every run
// (worker/worker.ts preloads them) against the SDK's default (every run loads the whole module tree again).
// Run: node --import tsx bench/workflow-modules.ts [ROUNDS] [COPIES]   (defaults 3 rounds, 10 copies)
//
// Each side replays the recorded histories of the current release (test/histories/<release>/, one full cycle of each
// shipped journey and the behaviour tests' runs) COPIES times over, with Worker.runReplayHistories: every history is
// a run the worker creates, as it does for a new run or for one evicted from its cache whose next task comes. Both
// sides bundle the same code with the same options but `preloadModules`, and take turns, ROUNDS times
// (bench/replay-rounds.ts).
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { journeyBundleOptions } from '../worker/worker.ts';
import { quiet, replayRounds, roundsAndCopies } from './replay-rounds.ts';

const { rounds, copies } = roundsAndCopies(3, 10);
const bundled = async (name: string, options: BundleOptions) => ({ name, code: (await bundleWorkflowCode(options)).code });
const sides = [
  await bundled('ours: workflow modules preloaded, shared by every run', journeyBundleOptions(quiet)),
  await bundled("raw: the SDK's default, modules loaded for each run", { ...journeyBundleOptions(quiet), preloadModules: [] }),
];

const {
  medians: [ours, raw],
} = await replayRounds(sides, rounds, copies);
console.log(`ratio ours/raw: time per run ${(ours / raw).toFixed(2)}x`);
