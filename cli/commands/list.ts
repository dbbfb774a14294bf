// `journey list`: the journeys in definitions/journeys/ with id, version, status, name and the events they listen to.
import type { Command } from 'commander';
import { loadJourneyDir } from '../../definitions/loader.ts';
import { formatDiagnostic } from '../format.ts';

export function register(program: Command): void {
  program
    .command('list')
    .description('list the journeys in definitions/journeys/ (id, version, status, name, listen events)')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }) => {
      const { plans, diagnostics } = await loadJourneyDir();
      const rows = plans.map((p) => ({
        id: p.journeyId,
        version: p.version,
        status: p.definition.status,
        name: p.name,
        listen: p.routing.listen,
        hash: p.hash,
      }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ journeys: rows, invalid: diagnostics }, null, 2)}\n`);
      } else {
        const table = [
          ['ID', 'VERSION', 'STATUS', 'NAME', 'LISTENS TO'],
          ...rows.map((r) => [r.id, String(r.version), r.status, r.name, r.listen.join(', ')]),
        ];
        const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
        for (const row of table)
          process.stdout.write(`${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}\n`);
        const bad = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
        if (bad.size > 0) {
          process.stderr.write(`\n${bad.size} invalid file${bad.size === 1 ? '' : 's'} not listed (run \`journey validate\`):\n`);
          for (const d of diagnostics) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
        }
      }
      process.exitCode = diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    });
}
