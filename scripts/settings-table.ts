// The settings table (docs/settings.md): every environment variable the code reads, found by scanning the sources
// (`env.NAME`, `env['NAME']`, a JOURNEY_/POSTMARK_/TEMPORAL_/BENCH_ name in quotes handed to a reader, `$NAME` in
// shell scripts), with where it is read and what it means (scripts/settings-descriptions.ts).
// `npm run settings:table` writes the file; test/settings-table.test.ts fails when a variable is read but not
// described, or when the file is stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as prettier from 'prettier';
import { SETTINGS, type Setting } from './settings-descriptions.ts';

export const ROOT = resolve(import.meta.dirname, '..');
const FOLDERS = ['api', 'worker', 'activities', 'workflows', 'definitions', 'cli', 'reports', 'scripts', 'bench', 'test', '.ci'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'histories', '.artifacts', 'generated'].includes(e.name) ? [] : sourceFiles(path);
    return /\.(ts|mjs|sh)$|^run$/.test(e.name) ? [path] : [];
  });
}

/** Variable name → the files (relative to the root) that read it. */
export function scanEnvReads(): Map<string, Set<string>> {
  const reads = new Map<string, Set<string>>();
  const add = (name: string, file: string) => {
    if (!reads.has(name)) reads.set(name, new Set());
    reads.get(name)!.add(relative(ROOT, file));
  };
  const self = new Set(['scripts/settings-table.ts', 'scripts/settings-descriptions.ts']);
  for (const file of FOLDERS.flatMap((f) => sourceFiles(join(ROOT, f))).filter((f) => !self.has(relative(ROOT, f)))) {
    const text = readFileSync(file, 'utf8');
    const patterns =
      file.endsWith('.ts') || file.endsWith('.mjs')
        ? [
            /\benv\??\.([A-Z][A-Z0-9_]+)\b/g,
            /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
            /['"`]((?:JOURNEY|POSTMARK|TEMPORAL|BENCH)_[A-Z0-9_]+)['"`]/g,
          ]
        : [/\$\{?((?:JOURNEY|POSTMARK|TEMPORAL|BENCH)_[A-Z0-9_]+)/g];
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) add(m[1], file);
  }
  return reads;
}

/** The processes that run code; a file they import (however deep) is read by them too. */
const PROCESSES = new Set(['worker', 'API', 'CLI']);

/** File (relative to the root) → the files whose relative imports name it, over the scanned folders. */
export function scanImporters(): Map<string, Set<string>> {
  const importers = new Map<string, Set<string>>();
  for (const file of FOLDERS.flatMap((f) => sourceFiles(join(ROOT, f))).filter((f) => /\.(ts|mjs)$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    // Code imports only: `import type` and `export type` load nothing.
    const code = text.replace(/^(?:import|export)\s+type\b[^;]*;/gm, '');
    for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const target = relative(ROOT, resolve(dirname(file), m[1]));
      if (!importers.has(target)) importers.set(target, new Set());
      importers.get(target)!.add(relative(ROOT, file));
    }
  }
  return importers;
}

/**
 * The processes that load `file`: its own folder's, and those of every process file that imports it, directly or
 * through others (worker/temporal-connect.ts is the worker's, and the API's through api/main.ts).
 */
export function processesLoading(file: string, importers: Map<string, Set<string>>): string[] {
  const found = new Set<string>();
  const seen = new Set([file]);
  const queue = [file];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const importer of importers.get(next) ?? []) {
      if (seen.has(importer)) continue;
      seen.add(importer);
      queue.push(importer);
      for (const reader of readersOf(importer)) if (PROCESSES.has(reader)) found.add(reader);
    }
  }
  return [...found];
}

/** Which processes or tools read a file, for the table's "read by" column. */
function readersOf(file: string): string[] {
  if (file.startsWith('api/')) return ['API'];
  if (file.startsWith('worker/') || file.startsWith('activities/')) return ['worker'];
  if (file.startsWith('definitions/')) return ['worker', 'API'];
  if (file.startsWith('cli/') || file.startsWith('reports/')) return ['CLI'];
  if (file === 'scripts/start.ts' || file === 'scripts/start.sh' || file.startsWith('scripts/demo/')) return ['npm start'];
  if (file.startsWith('scripts/postmark-fake')) return ['postmark:fake'];
  if (file.startsWith('test/') || file === 'scripts/test.sh' || file.startsWith('.ci/')) return ['npm test'];
  if (file.startsWith('bench/')) return ['bench'];
  return ['scripts'];
}

const ORDER = ['npm start', 'worker', 'API', 'CLI', 'postmark:fake', 'npm test', 'bench', 'scripts', 'Temporal SDK'];

/** Names a process inherits rather than a setting of ours. */
// The operating system's own variables (TMPDIR: the test setup sets it per test file, test/setup/temp-root.ts).
export const NOT_SETTINGS = new Set(['PATH', 'HOME', 'TMPDIR', 'LD_PRELOAD']);

export async function settingsMarkdown(reads = scanEnvReads(), importers = scanImporters()): Promise<string> {
  const names = [...new Set([...reads.keys(), ...Object.keys(SETTINGS)])].filter((n) => !NOT_SETTINGS.has(n));
  const rows = names
    .map((name) => {
      const s: Setting | undefined = SETTINGS[name];
      const files = [...(reads.get(name) ?? [])];
      const by = new Set([...files.flatMap(readersOf), ...files.flatMap((f) => processesLoading(f, importers))]);
      if (s?.readBy) by.add(s.readBy);
      const readers = ORDER.filter((r) => by.has(r));
      return { name, readers, s };
    })
    .sort((a, b) => ORDER.indexOf(a.readers[0]) - ORDER.indexOf(b.readers[0]) || a.name.localeCompare(b.name));
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const markdown = `# Settings: every environment variable

Generated by \`npm run settings:table\` from the code that reads each variable (\`scripts/settings-table.ts\` scans
\`env.NAME\` reads and the names handed to the settings readers; the meanings are in \`scripts/settings-descriptions.ts\`).
\`test/settings-table.test.ts\` fails when the code reads a variable this table does not describe, or when this file is
stale. Every process checks its own at start and stops with one line naming a bad value. "read by" names the
processes that load the code reading a variable (the worker, the API and the CLI through their imports), and the
scripts and suites that read it themselves.

| variable | read by | default | meaning |
| --- | --- | --- | --- |
${rows.map((r) => `| \`${r.name}\` | ${r.readers.join(', ')} | ${cell(r.s?.default ?? '—')} | ${cell(r.s?.meaning ?? '(not described)')} |`).join('\n')}
`;
  // Formatted as the repository formats Markdown, so the file is exactly what this returns.
  const options = (await prettier.resolveConfig(join(ROOT, 'docs', 'settings.md'))) ?? {};
  return prettier.format(markdown, { ...options, parser: 'markdown' });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(join(ROOT, 'docs', 'settings.md'), await settingsMarkdown());
  console.log('[settings] docs/settings.md written');
}
