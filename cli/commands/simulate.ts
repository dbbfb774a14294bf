// `journey simulate <definition> --timeline <file>`: run a journey against a scripted customer on the time-skipping
// test server and print, in the customer's zone, what would be sent, what was suppressed and why, what was rewarded.
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadJourneyFile, REPO_ROOT } from '../../definitions/loader.ts';
import { customerDefaultsFromEnv, type CustomerDefaults } from '../../definitions/customer-defaults.ts';
import { formatDiagnostic } from '../format.ts';
import { formatLocal } from '../../workflows/journey/send-window.ts';
import { simulateTimeline, type SimulationResult, type Timeline } from '../simulate/run-timeline.ts';

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

const SHOWN: Record<string, (d: Record<string, unknown>) => string> = {
  delight: (d) => `delight: ${d.signal}`,
  qualified: (d) => `qualified for ${d.motion} (${d.reason})`,
  disqualified: (d) => `disqualified (${d.reason})`,
  'ask.sent': (d) => `SENT invite #${d.attempt} via ${d.channel}, template ${d.template}`,
  suppressed: (d) => `SUPPRESSED by ${d.rule} (${d.effect ?? ''}${d.reason ? `: ${d.reason}` : ''})`,
  'action.taken': (d) => `action: ${d.eventType}`,
  'action.timeout': (d) => `no action within ${d.timeout}`,
  'reward.issued': (d) => `REWARDED ${d.role}: ${d.kind}${d.amount !== undefined ? ` ${d.amount}` : ''} (${d.provider})`,
  'reward.refused': (d) => `reward refused: ${d.reason}`,
  'reward.reversed': (d) => `reward reversed for ${d.referralId}`,
  promoted: (d) => `promoted to ${d.motion} (${d.reason})`,
  'cycle.completed': (d) => `cycle ${d.cycle} completed`,
};

export function renderSimulation(r: SimulationResult): string {
  const lines = [`customer zone: ${r.zone}; day 0 = ${formatLocal(r.startMs, r.zone)}`];
  for (const rec of [...r.records].sort((a, b) => a.at.localeCompare(b.at))) {
    const show =
      SHOWN[rec.type] ??
      (rec.type.startsWith('referral.')
        ? (d: Record<string, unknown>) => `${rec.type} ${d.referralId ?? ''}${d.revenue ? ` revenue ${d.revenue}` : ''}`
        : undefined);
    if (!show) continue;
    const at = Date.parse(rec.at);
    const day = ((at - r.startMs) / 86_400_000).toFixed(1).padStart(6);
    lines.push(`day ${day}  ${formatLocal(at, r.zone)}  ${show(rec.data ?? {})}`);
  }
  const s = r.finalState;
  lines.push(`emails delivered to the outbox: ${r.sent.length}${r.sent.map((m) => `\n  ${m.sendKey} → ${m.to}`).join('')}`);
  if ('history' in s) lines.push(`history: ${JSON.stringify(s.history)}`);
  if ('suppressed' in s && s.suppressed) lines.push(`now suppressed: ${s.suppressed.reason}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('simulate <definition>')
    .description('run a journey against a scripted customer timeline (events at day offsets) on the time-skipping test server')
    .requiredOption('--timeline <file>', 'JSON: { traits, startAt?: { weekday, time }, runDays?, events: [{ day, type, data }] }')
    .option('--json', 'print the tracking records and sends as JSON')
    .action(async (definition: string, options: { timeline: string; json?: boolean }) => {
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
      });
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderSimulation(result)}\n`);
      process.stderr.write(`simulated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
}
