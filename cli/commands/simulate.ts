// `journey simulate <definition> --timeline <file> [--out DIR]`: run a journey against a scripted customer on the
// time-skipping test server and print, in the customer's zone, from the tracking records written as it ran: what
// was sent to whom, what was moved or held and why, what was rewarded (cli/simulate/render.ts).
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadJourneyFile, REPO_ROOT } from '../../definitions/loader.ts';
import { customerDefaultsFromEnv, type CustomerDefaults } from '../../definitions/customer-defaults.ts';
import { formatDiagnostic } from '../format.ts';
import { simulateTimeline, type Timeline } from '../simulate/run-timeline.ts';
import { renderSimulation } from '../simulate/render.ts';

function testServerPath(): string {
  if (process.env.TEMPORAL_TEST_SERVER_PATH) return process.env.TEMPORAL_TEST_SERVER_PATH;
  const out = execFileSync('bash', ['scripts/obtain-temporal.sh', 'all'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
  const m = /export TEMPORAL_TEST_SERVER_PATH='([^']*)'/.exec(out);
  if (!m) throw new Error('scripts/obtain-temporal.sh did not give TEMPORAL_TEST_SERVER_PATH');
  return m[1];
}

export function register(program: Command): void {
  program
    .command('simulate <definition>')
    .description('run a journey against a scripted customer timeline (events at day offsets) on the time-skipping test server')
    .requiredOption('--timeline <file>', 'JSON: { traits, startAt?: { weekday, time }, runDays?, events: [{ day, type, data }] }')
    .option('--json', 'print the tracking records and sends as JSON')
    .option('--out <dir>', 'keep the outbox and the tracking log in this folder (default: a temporary folder, removed at the end)')
    .action(async (definition: string, options: { timeline: string; json?: boolean; out?: string }) => {
      const { plan, diagnostics } = await loadJourneyFile(definition);
      if (!plan) {
        for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.exitCode = 1;
        return;
      }
      let timeline: Timeline;
      try {
        timeline = JSON.parse(readFileSync(options.timeline, 'utf8')) as Timeline;
        if (!Array.isArray(timeline.events)) throw new Error('"events" must be an array of { day, type, data }');
      } catch (err) {
        process.stderr.write(`${options.timeline}: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      // The customer workflow runs with the contact policy and score weights the worker and the API would load.
      let customerDefaults: CustomerDefaults;
      try {
        customerDefaults = customerDefaultsFromEnv();
      } catch (err) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const started = Date.now();
      const result = await simulateTimeline(plan, timeline, {
        customerDefaults,
        testServerPath: testServerPath(),
        log: (l) => process.stderr.write(`… ${l}\n`),
        outDir: options.out,
      });
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderSimulation(result)}\n`);
      process.stderr.write(`simulated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
}
