// Diagnostic: where a journey run's promises are made. Every promise a workflow creates costs the stack-trace hook a
// captured Error (JOURNEY_WORKER_STACK_TRACES, bench/stack-traces.ts), so the count per activation is what the hook
// charges a workflow task. Replays the current release's recorded histories (test/histories/<release>/) once, with
// no hook, and for each promise made while the SDK's `activate` runs, names the first frame of our own code on its
// stack (source-mapped through the bundle's inline map) and the frame that made it; a run's first activation apart
// from the later ones.
// Run: node --import tsx bench/promise-sites.ts [TOP]   (default 20 rows per part;
// BENCH_PROMISE_SITES_ONLY=<part of a file name> replays only the histories whose file names contain it)
//
// "(no workflow frame)" are promises of the SDK's own code outside the sandbox (its `activate` and what it awaits):
// the hooks return at once for those, as they find no run in that realm.
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { journeyBundleOptions } from '../worker/worker.ts';
import { RELEASE } from '../workflows/release.ts';
import { aroundActivations, quiet, releaseHistories } from './replay-rounds.ts';

const top = Math.max(1, Math.min(200, Number(process.argv[2] ?? 20)));
const require = createRequire(import.meta.url);
const { SourceMapConsumer } = require('source-map') as {
  SourceMapConsumer: new (map: string) => Promise<{
    originalPositionFor(p: { line: number; column: number }): { source: string | null; line: number | null };
  }>;
};
const { code } = await bundleWorkflowCode(journeyBundleOptions(quiet));
const inlineMap = /sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,(\S+)/.exec(code);
if (!inlineMap) throw new Error('the workflow bundle has no inline source map');
const sourceMap = await new SourceMapConsumer(Buffer.from(inlineMap[1], 'base64').toString('utf8'));

const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared.js') as {
  globalHandlers: { promiseHookInstalled: boolean; stopPromiseHook(): void; setPromiseHook(): void };
};
// No stack-trace hook: its own promises and frames would be counted too.
globalHandlers.stopPromiseHook();
globalHandlers.promiseHookInstalled = false;
globalHandlers.setPromiseHook = () => {};

type Part = 'first' | 'later';
let part: Part | undefined;
const sites: Record<Part, Map<string, number>> = { first: new Map(), later: new Map() };
const activations: Record<Part, number> = { first: 0, later: 0 };
aroundActivations((first, activate) => {
  part = first ? 'first' : 'later';
  activations[part]++;
  try {
    return activate();
  } finally {
    part = undefined;
  }
});

const BUNDLE_FRAME = /(?:\(|at )([^()\s]*workflow-bundle[^:()\s]*\.js):(\d+):(\d+)\)?$/;
/** A frame of the bundle as `path:line` of its source (node_modules/… or workflows/…). */
function sourceOf(frame: string): string | undefined {
  const m = BUNDLE_FRAME.exec(frame.trim());
  if (!m) return undefined;
  const { source, line } = sourceMap.originalPositionFor({ line: Number(m[2]), column: Number(m[3]) - 1 });
  return source ? `${source.replace(/^.*?\/(node_modules|workflows|definitions)\//, '$1/')}:${line}` : undefined;
}
const stopHook = v8.promiseHooks.createHook({
  init() {
    if (!part) return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 30;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    const frames = stack
      .split('\n')
      .slice(2)
      .map(sourceOf)
      .filter((f): f is string => f !== undefined);
    const ours = frames.find((f) => !f.startsWith('node_modules/'));
    const key = ours ? `${ours.padEnd(48)} made at ${frames[0]}` : '(no workflow frame)';
    sites[part].set(key, (sites[part].get(key) ?? 0) + 1);
  },
});

const { files, histories } = releaseHistories(process.env.BENCH_PROMISE_SITES_ONLY);
const input = histories.map((history, i) => ({ workflowId: files[i], history }));
let failed = 0;
for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, input)) if (result.error) failed++;
stopHook();
if (failed) throw new Error(`${failed} histories failed to replay: run the replay test (test/interpreter-replay.test.ts)`);

console.log(`${histories.length} recorded histories of release ${RELEASE}, replayed once with no stack-trace hook`);
for (const p of ['first', 'later'] as const) {
  const total = [...sites[p].values()].reduce((a, b) => a + b, 0);
  const outside = sites[p].get('(no workflow frame)') ?? 0;
  console.log(
    `\n${p === 'first' ? "a run's first activation" : 'later activations'}: ${activations[p]}, ` +
      `${((total - outside) / activations[p]).toFixed(1)} promises each in the workflow's code, ${(outside / activations[p]).toFixed(1)} outside`,
  );
  console.log('  total  per act.  first frame of ours (made at)');
  for (const [site, n] of [...sites[p]].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${String(n).padStart(7)} ${(n / activations[p]).toFixed(1).padStart(9)}  ${site}`);
  }
}
