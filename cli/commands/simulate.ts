// `journey simulate <definition> --timeline <file> [--out DIR]`: run a journey against a scripted customer on the
// time-skipping test server and print, in the customer's zone, from the tracking records written as it ran: what
// was sent to whom, what was moved or held and why, what was rewarded (cli/simulate/render.ts).
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { loadJourneyFile } from '../../definitions/loader.ts';
import { createCatalogEventValidator } from '../../api/event-validator.ts';
import { customerDefaultsFromEnv, type CustomerDefaults } from '../../definitions/customer-defaults.ts';
import { formatDiagnostic } from '../format.ts';
import { simulateTimeline, type Timeline } from '../simulate/run-timeline.ts';
import { renderSimulation } from '../simulate/render.ts';
import { testServerPath } from '../replay/test-server-path.ts';

function timelineProblems(timeline: Timeline): string[] {
  const validate = createCatalogEventValidator();
  return timeline.events.flatMap((e, i) => {
    if (typeof e?.day !== 'number' || e.day < 0) return [`/events/${i}/day: expected a number of days from the start, 0 or more`];
    const event = {
      id: e.id ?? `sim-${i}`,
      type: e.type,
      customerId: e.customerId ?? timeline.customerId ?? 'simulated-customer',
      occurredAt: new Date().toISOString(),
      data: e.data ?? {},
      ...(e.traits ? { traits: e.traits } : {}),
    };
    return validate(event).map((p) => `/events/${i}${p.pointer}: ${p.message}${p.expected ? ` (expected ${p.expected})` : ''}`);
  });
}

export function register(program: Command): void {
  program
    .command('simulate <definition>')
    .description('run a journey against a scripted customer timeline (events at day offsets) on the time-skipping test server')
    .requiredOption('--timeline <file>', 'JSON: { traits, startAt?: { weekday, time }, runDays?, events: [{ day, type, data }] }')
    .option('--json', 'print the tracking records and sends as JSON')
    .option('--out <dir>', 'keep the outbox and the tracking log in this folder (default: a temporary folder, removed at the end)')
    .action(async (definition: string, options: { timeline: string; json?: boolean; out?: string }) => {
      if (!existsSync(definition)) {
        process.stderr.write(`${definition}: no such journey file\n`);
        process.exitCode = 1;
        return;
      }
      const { plan, diagnostics } = await loadJourneyFile(definition);
      if (!plan) {
        for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.exitCode = 1;
        return;
      }
      let timeline: Timeline;
      if (!existsSync(options.timeline)) {
        process.stderr.write(`${options.timeline}: no such timeline file\n`);
        process.exitCode = 1;
        return;
      }
      try {
        timeline = JSON.parse(readFileSync(options.timeline, 'utf8')) as Timeline;
        if (!Array.isArray(timeline.events)) throw new Error('"events" must be an array of { day, type, data }');
        // Each event checked as the API checks it (type from the catalog, its data, traits), all problems at once.
        const problems = timelineProblems(timeline);
        if (problems.length) throw new Error(`\n${problems.map((p) => `  ${p}`).join('\n')}`);
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
