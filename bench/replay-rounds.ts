// What bench/workflow-modules.ts and bench/stack-traces.ts share: the current release's recorded histories
// (test/histories/<release>/: one full cycle of each shipped journey and the behaviour tests' runs), replayed COPIES
// times over with Worker.runReplayHistories by each side in turn, ROUNDS times after one untimed replay each (the
// bundle's compilation and the JIT warm up), and the table of each side's median. No server: a replay reads the
// history it is given.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { RELEASE } from '../workflows/release.ts';

Runtime.install({ logger: new DefaultLogger('WARN') }); // each replay worker's start and stop would drown the table

/** A logger for bundling that drops all but errors. */
export const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

/** ROUNDS and COPIES from the command line (argv 2 and 3), bounded to 1-20 and 1-200. */
export function roundsAndCopies(defaultRounds: number, defaultCopies: number): { rounds: number; copies: number } {
  return {
    rounds: Math.max(1, Math.min(20, Number(process.argv[2] ?? defaultRounds))),
    copies: Math.max(1, Math.min(200, Number(process.argv[3] ?? defaultCopies))),
  };
}

/** The current release's recorded histories (test/histories/<release>/), with their file names; `only`, when given,
 *  keeps those whose file names contain it. */
export function releaseHistories(only?: string): { files: string[]; histories: ReturnType<typeof historyFromJSON>[] } {
  const dir = join(import.meta.dirname, '..', 'test', 'histories', RELEASE);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && (!only || f.includes(only)));
  return { files, histories: files.map((f) => historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8')))) };
}

/** Calls `around(first, activate)` for each activation a replay on this thread runs, in place of the SDK's `activate`
 *  (which does all of an activation's work before its final await): `first` for a run's first activation. */
export function aroundActivations(around: (first: boolean, activate: () => Promise<unknown>) => Promise<unknown>): void {
  const { BaseVMWorkflow } = createRequire(import.meta.url)('@temporalio/worker/lib/workflow/vm-shared.js') as {
    BaseVMWorkflow: { prototype: { activate(activation: unknown): Promise<unknown> } };
  };
  const activated = new WeakSet<object>();
  const activate = BaseVMWorkflow.prototype.activate;
  BaseVMWorkflow.prototype.activate = function (this: object, activation: unknown) {
    const first = !activated.has(this);
    activated.add(this);
    return around(first, () => activate.call(this, activation));
  };
}

export interface ReplaySide {
  name: string;
  /** The workflow bundle's code this side replays with. */
  code: string;
  /** Run before each of this side's replays, outside the timing. */
  before?: () => void;
}

/** Replays as above and prints each round and the table; returns each side's median ms per round, in `sides`' order,
 *  and the runs in a round. A history that fails to replay stops the bench. */
export async function replayRounds(sides: ReplaySide[], rounds: number, copies: number): Promise<{ medians: number[]; runs: number }> {
  const { files, histories } = releaseHistories();
  const events = histories.reduce((sum, h) => sum + (h.events?.length ?? 0), 0);
  const runs = copies * histories.length;

  async function replayAll(side: ReplaySide): Promise<number> {
    const input = function* () {
      for (let c = 0; c < copies; c++) for (const [i, history] of histories.entries()) yield { workflowId: `${files[i]}#${c}`, history };
    };
    side.before?.();
    let failed = 0;
    const started = performance.now();
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code: side.code } }, input())) if (result.error) failed++;
    const ms = performance.now() - started;
    if (failed) throw new Error(`${failed} histories failed to replay: run the replay test (test/interpreter-replay.test.ts)`);
    return ms;
  }

  const width = Math.max(...sides.map((s) => s.name.length)) + 2;
  const ms = sides.map(() => [] as number[]);
  for (const side of sides) await replayAll(side);
  for (let r = 0; r < rounds; r++) {
    const order = sides.map((_, i) => i);
    for (const i of r % 2 ? order.reverse() : order) {
      const took = await replayAll(sides[i]);
      ms[i].push(took);
      console.log(`round ${r + 1} ${sides[i].name.padEnd(width)} ${(took / runs).toFixed(2)} ms per run`);
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const medians = ms.map(median);
  console.log(
    `\n${histories.length} recorded histories of release ${RELEASE} (${events} events) × ${copies} copies = ${runs} runs per round`,
  );
  console.log('side'.padEnd(width) + 'median ms/run'.padStart(14) + 'runs/s'.padStart(10));
  for (const [i, side] of sides.entries()) {
    const m = medians[i];
    console.log(side.name.padEnd(width) + (m / runs).toFixed(2).padStart(14) + ((runs * 1000) / m).toFixed(1).padStart(10));
  }
  return { medians, runs };
}
