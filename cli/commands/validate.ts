// `journey validate [files...]`: compile journey files and report every problem; exit 0 when all are valid, 1 when not.
import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNEYS_DIR, loadJourneyFiles } from '../../definitions/loader.ts';
import { formatDiagnostic } from '../format.ts';

export function defaultJourneyFiles(): string[] {
  return readdirSync(JOURNEYS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(JOURNEYS_DIR, f));
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check journey definitions (default: definitions/journeys/*.json); exit 1 on any error')
    .argument('[files...]', 'journey JSON files')
    .option('--json', 'print a machine-readable report (format in docs/journeys.md)')
    .action(async (files: string[], options: { json?: boolean }) => {
      const paths = files.length > 0 ? files : defaultJourneyFiles();
      const { diagnostics, files: results } = await loadJourneyFiles(paths);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const valid = errors.length === 0;
      if (options.json) {
        const report = {
          valid,
          errorCount: errors.length,
          warningCount: diagnostics.length - errors.length,
          files: results.map((r) => ({
            file: r.file,
            valid: !r.diagnostics.some((d) => d.severity === 'error'),
            ...(r.plan && !r.diagnostics.some((d) => d.severity === 'error')
              ? { journeyId: r.plan.journeyId, version: r.plan.version, hash: r.plan.hash }
              : {}),
            diagnostics: r.diagnostics,
          })),
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
        const bad = new Set(errors.map((d) => d.file)).size;
        const n = `${paths.length} journey file${paths.length === 1 ? '' : 's'}`;
        process.stdout.write(valid ? `✔ ${n} valid\n` : `✘ ${errors.length} error${errors.length === 1 ? '' : 's'} in ${bad} of ${n}\n`);
      }
      process.exitCode = valid ? 0 : 1;
    });
}
