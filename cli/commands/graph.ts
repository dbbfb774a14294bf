// `journey graph <file>`: the journey as a Mermaid flowchart (stages, branches, waits, suppressions).
// `--format svg|png` needs a Mermaid renderer (mmdc from @mermaid-js/mermaid-cli) on PATH or in node_modules.
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, loadJourneyFile } from '../../definitions/loader.ts';
import { formatDiagnostic } from '../format.ts';
import { journeyMermaid } from '../mermaid.ts';

function findRenderer(): string | undefined {
  const local = join(REPO_ROOT, 'node_modules', '.bin', 'mmdc');
  if (existsSync(local)) return local;
  const which = spawnSync('sh', ['-c', 'command -v mmdc'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

export function register(program: Command): void {
  program
    .command('graph')
    .description('draw a journey as a Mermaid flowchart (text by default)')
    .argument('<file>', 'a journey JSON file')
    .option('--format <format>', 'mermaid | svg | png', 'mermaid')
    .option('-o, --output <path>', 'where to write svg/png (default: <journey id>.<format>)')
    .action(async (file: string, options: { format: string; output?: string }) => {
      const { plan, diagnostics } = await loadJourneyFile(file);
      if (!plan) {
        for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.stderr.write('cannot graph an invalid journey: fix the errors above first\n');
        process.exitCode = 1;
        return;
      }
      const mermaid = journeyMermaid(plan);
      if (options.format === 'mermaid') {
        process.stdout.write(mermaid);
        return;
      }
      if (options.format !== 'svg' && options.format !== 'png') {
        process.stderr.write(`unknown format \`${options.format}\`: use mermaid, svg or png\n`);
        process.exitCode = 2;
        return;
      }
      const renderer = findRenderer();
      if (!renderer) {
        process.stderr.write(
          `no Mermaid renderer found, so no ${options.format} was written.\n` +
            'Install one with `npm install --save-dev @mermaid-js/mermaid-cli` (it needs a Chromium), or paste the text output of\n' +
            '`journey graph <file>` into https://mermaid.live or a Markdown file (GitHub renders ```mermaid blocks).\n',
        );
        process.exitCode = 2;
        return;
      }
      const input = join(mkdtempSync(join(tmpdir(), 'journey-graph-')), 'journey.mmd');
      writeFileSync(input, mermaid);
      const output = options.output ?? `${plan.journeyId}.${options.format}`;
      const run = spawnSync(renderer, ['-i', input, '-o', output], { stdio: 'inherit' });
      if (run.status !== 0) {
        process.stderr.write(`the renderer (${renderer}) failed with exit code ${run.status}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`wrote ${output}\n`);
    });
}
