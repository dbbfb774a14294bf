// Benchmark: compile the whole definitions/journeys folder N times (default 200) and print ms per folder.
// Run: node --import tsx bench/compile.ts [N]
// No Temporal baseline: compiling is pure CPU work before anything runs, so there is nothing to compare it with
// on the Temporal side; the figure to hold is the "a folder of definitions in well under a second".
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileJourney } from '../definitions/compiler/index.ts';
import { JOURNEYS_DIR, loadCatalog, loadJourneyDir, loadTemplates } from '../definitions/loader.ts';

const n = Math.max(1, Math.min(10_000, Number(process.argv[2] ?? 200)));

const catalog = loadCatalog();
const templates = loadTemplates();
const files = readdirSync(JOURNEYS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, source: readFileSync(join(JOURNEYS_DIR, f), 'utf8') }));

const compileFolder = () => {
  let plans = 0;
  for (const { file, source } of files) if (compileJourney({ file, source, templates }, catalog).plan) plans++;
  if (plans !== files.length) throw new Error(`only ${plans} of ${files.length} journeys compiled: run \`journey validate\``);
};

let t = performance.now();
compileFolder(); // the first compile also builds the Ajv validator for the schema
const coldMs = performance.now() - t;

t = performance.now();
for (let i = 0; i < n; i++) compileFolder();
const warmMs = (performance.now() - t) / n;

const ioRuns = Math.min(n, 50);
t = performance.now();
for (let i = 0; i < ioRuns; i++) await loadJourneyDir();
const ioMs = (performance.now() - t) / ioRuns;

const f = (ms: number) => ms.toFixed(2);
console.log(`journeys folder: ${files.length} definitions, ${Object.keys(templates).length} local templates`);
console.log(`first compile (includes building the schema validator): ${f(coldMs)} ms per folder`);
console.log(`compileJourney, in memory, ${n} runs:                ${f(warmMs)} ms per folder (${f(warmMs / files.length)} ms per journey)`);
console.log(`loadJourneyDir, reading the files too, ${ioRuns} runs:     ${f(ioMs)} ms per folder`);
console.log('no Temporal baseline for this benchmark: compiling happens before any workflow runs.');
