// `journey preview <definition> [--traits FILE] [--out FILE]`: every message of every motion, variant and step,
// rendered for the shipped sample customers (definitions/samples/customers.json) or the given traits: subject,
// from, to and text in the terminal, and one HTML page with the HTML bodies. Blank values are marked in both.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFINITIONS_DIR, displayPath, loadCatalog, loadJourneyFile } from '../../definitions/loader.ts';
import { closest } from '../../definitions/compiler/suggest.ts';
import { formatDiagnostic } from '../format.ts';
import { buildPreviews, type Preview, type SampleCustomer } from '../preview/build-previews.ts';
import { previewPage } from '../preview/page.ts';

interface Samples {
  customers: SampleCustomer[];
  events: Record<string, Record<string, unknown>>;
}

export const SAMPLES_FILE = join(DEFINITIONS_DIR, 'samples', 'customers.json');

export function loadSamples(): Samples {
  return JSON.parse(readFileSync(SAMPLES_FILE, 'utf8')) as Samples;
}

/** The given traits file: one customer's traits ({ "email": …, "firstName": … }), every key a known trait. */
export function readTraitsFile(path: string): SampleCustomer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read the traits file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let traits: unknown;
  try {
    traits = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!traits || typeof traits !== 'object' || Array.isArray(traits))
    throw new Error(`${path}: expected one customer's traits as a JSON object, e.g. {"email": "a@b.example", "firstName": "Ana"}`);
  const known = Object.keys(loadCatalog().traits.properties ?? {});
  for (const key of Object.keys(traits)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new Error(
      `${path}: \`${key}\` is not a customer trait${near ? `; did you mean \`${near}\`?` : ''} (traits: ${known.join(', ')})`,
    );
  }
  return { id: 'given-traits', description: `traits from ${displayPath(path)}`, traits: traits as Record<string, unknown> };
}

export function register(program: Command): void {
  program
    .command('preview <definition>')
    .description('render every message of a journey (each motion, variant and step) for sample customers, marking blank values')
    .option('--traits <file>', "render for this customer's traits (JSON object) instead of the shipped sample customers")
    .option('--out <file>', 'where to write the HTML page (default: preview-<journey id>.html in the current folder)')
    .option('--fail-on-blank', 'exit 2 when any message has a blank value (for CI)')
    .action(async (definition: string, options: { traits?: string; out?: string; failOnBlank?: boolean }) => {
      const { plan, diagnostics } = await loadJourneyFile(definition);
      if (!plan) {
        for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.stderr.write(
          `${displayPath(definition)}: cannot preview a journey that does not compile (${diagnostics.filter((d) => d.severity === 'error').length} errors above)\n`,
        );
        process.exitCode = 1;
        return;
      }
      const samples = loadSamples();
      let customers = samples.customers;
      if (options.traits) {
        try {
          customers = [readTraitsFile(options.traits)];
        } catch (err) {
          process.stderr.write(`${(err as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
      }
      const previews = buildPreviews(plan, customers, samples.events, loadCatalog());
      for (const p of previews) process.stdout.write(`${terminalText(p)}\n`);
      const out = resolve(options.out ?? `preview-${plan.journeyId}.html`);
      writeFileSync(out, previewPage(`${plan.name}: message preview`, previews));
      const withBlanks = previews.filter((p) => p.blanks.length > 0).length;
      process.stdout.write(
        `${previews.length} messages for ${customers.length} customer${customers.length === 1 ? '' : 's'}; ${withBlanks === 0 ? 'no blank value' : `${withBlanks} with a blank value`}. HTML page: ${displayPath(out)}\n`,
      );
      if (withBlanks > 0 && options.failOnBlank) process.exitCode = 2;
    });
}

function terminalText(p: Preview): string {
  const rule = '─'.repeat(72);
  const head = `${rule}\n${p.motion} · ${p.label} · for ${p.customer.id}${p.customer.description ? ` (${p.customer.description})` : ''}\n  template ${p.template} (${p.pointer})`;
  if (p.notSent) return `${head}\n  ${p.notSent}`;
  if (p.postmarkAlias)
    return `${head}\n  From: ${p.from}\n  To: ${p.to}\n  rendered by Postmark from the template alias \`${p.postmarkAlias}\`: not previewed here`;
  const lines = [
    head,
    `  From: ${p.from}`,
    `  To: ${p.to}`,
    `  Subject: ${p.subject}`,
    '',
    ...(p.text ?? '').split('\n').map((l) => `  ${l}`),
  ];
  for (const b of p.blanks) lines.push(`  ! BLANK: {{${b.name}}} in the ${b.in} is ${b.why}`);
  return lines.join('\n');
}
