// Every command and request in README.md and docs/ runs, and says what the doc shows. The stack is the one
// `npm start` brings up (scripts/start.ts: dev server + UI, worker, API, the demo's journeys where a day lasts
// 2 seconds), on free ports; each doc file's `sh` blocks run in order in one bash, with the doc's ports (3000,
// 8233, 9464, 7233, 4010) pointed at this stack's. The convention is in test/docs/doc-blocks.ts. A doc example that
// drifts (a status, a field, a line of output) fails here with the file, the line and what came back instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../scripts/dev-server.ts';
import { waitForBanner } from './support/wait.ts';
import { docBlocks, docSteps, type DocStep } from './docs/doc-blocks.ts';
import { jsonDocuments, jsonMismatch, parsePattern, textMatches } from './docs/doc-match.ts';
import { ShellSession, type StepResult } from './docs/shell-session.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
// The Postmark webhook route exists only with its credentials: the stack and the doc's shell get the same ones.
const WEBHOOK = { JOURNEY_POSTMARK_WEBHOOK_USER: 'postmark', JOURNEY_POSTMARK_WEBHOOK_PASSWORD: 'docs-run-webhook-secret' };
const COMMAND_LANGS = new Set(['sh']);
const DATA_LANGS = new Set(['json', 'ts', 'mermaid', 'text', 'yaml', 'toml']);

describe('the docs: every fenced block is either data or a command the suite runs (or says why not)', () => {
  it.each(DOCS)('%s', (doc) => {
    for (const block of docBlocks(join(ROOT, doc))) {
      const where = `${doc}:${block.line}`;
      expect(COMMAND_LANGS.has(block.lang) || DATA_LANGS.has(block.lang), `${where}: a fence names its language (sh, json, text, …)`).toBe(
        true,
      );
      if (block.notRun !== undefined) {
        expect(block.lang, `${where}: only a sh block can be "not run"`).toBe('sh');
        expect(block.notRun.length, `${where}: "not run" says why`).toBeGreaterThan(10);
      }
    }
  });
});

/** Why a step's result is not what the doc shows, or undefined when it is. */
function mismatch(step: DocStep, r: StepResult): string | undefined {
  const e = step.expect;
  const wantedExit = e?.exit ?? 0;
  if (r.code !== wantedExit) return `exit code ${r.code}, the doc expects ${wantedExit}`;
  if (e?.statuses.length) {
    if (r.calls.length === 0) return `no HTTP call was made; the doc shows ${e.statuses.join(' or ')}`;
    const off = r.calls.find((c) => !e.statuses.includes(c.status));
    if (off) return `${off.method} answered ${off.status}; the doc shows ${e.statuses.join(' or ')}`;
  } else {
    const failed = r.calls.find((c) => c.status >= 400 || c.status === 0);
    if (failed) return `${failed.method} answered ${failed.status || 'nothing'}; the doc shows no error`;
  }
  if (e?.json) {
    const pattern = parsePattern(e.json);
    const docs = jsonDocuments(r.out);
    if (docs.length === 0) return `no JSON printed; the doc shows ${e.json}`;
    const misses = docs.map((d) => jsonMismatch(pattern, d));
    if (misses.every(Boolean)) return `the JSON printed differs at ${misses[misses.length - 1]}`;
  }
  if (e?.text && !textMatches(e.text, `${r.out}\n${r.err}`)) return `the output does not show:\n${e.text}`;
  return undefined;
}

/** A step that only reads may be asked again while the stack catches up (an email still on its way, say). */
function readOnly(step: DocStep, r: StepResult): boolean {
  return r.calls.every((c) => c.method === 'GET') && !/\bkill\b|&\s*$|>\s*\S/m.test(step.script);
}

describe('the docs, run against a live stack (npm start on free ports)', () => {
  let stack: ChildProcess | undefined;
  let output = '';
  const ports: Record<string, number> = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'docs-run-data-'));

  beforeAll(async () => {
    if (!process.env.TEMPORAL_CLI_PATH) throw new Error('TEMPORAL_CLI_PATH is not set: run the suite with npm test');
    for (const name of ['api', 'ui', 'temporal', 'metrics', 'postmark']) ports[name] = await freePort();
    stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        JOURNEY_DATA_DIR: dataDir,
        JOURNEY_TEMPORAL_PORT: String(ports.temporal),
        JOURNEY_UI_PORT: String(ports.ui),
        JOURNEY_API_PORT: String(ports.api),
        JOURNEY_WORKER_METRICS_PORT: String(ports.metrics),
        JOURNEY_DEMO_CUSTOMERS: '2',
        ...WEBHOOK,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack.stdout!.on('data', (c) => (output += c));
    stack.stderr!.on('data', (c) => (output += c));
    await waitForBanner(
      'the stack to be up',
      { name: 'npm start', child: stack, output: () => output, banner: 'journey-engine is up' },
      120_000,
    );
  }, 150_000);

  afterAll(async () => {
    if (!stack || stack.exitCode !== null) return;
    const exited = new Promise((r) => stack!.once('exit', r));
    stack.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 45_000))]);
    if (stack.exitCode === null) stack.kill('SIGKILL');
  }, 60_000);

  /** The doc's ports (what `npm start` uses by default) pointed at this stack's. */
  function onThisStack(script: string): string {
    return script
      .replace(/(127\.0\.0\.1|localhost):3000\b/g, `127.0.0.1:${ports.api}`)
      .replace(/(127\.0\.0\.1|localhost):8233\b/g, `127.0.0.1:${ports.ui}`)
      .replace(/(127\.0\.0\.1|localhost):9464\b/g, `127.0.0.1:${ports.metrics}`)
      .replace(/(127\.0\.0\.1|localhost):7233\b/g, `127.0.0.1:${ports.temporal}`)
      .replace(/(127\.0\.0\.1|localhost):4010\b/g, `127.0.0.1:${ports.postmark}`);
  }

  it.each(DOCS)(
    '%s: every command runs and answers as shown',
    async (doc) => {
      const steps = docBlocks(join(ROOT, doc))
        .filter((b) => b.lang === 'sh' && b.notRun === undefined)
        .flatMap((b) => docSteps(b));
      const shell = new ShellSession(ROOT, {
        JOURNEY_DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
        POSTMARK_FAKE_PORT: String(ports.postmark),
        ...WEBHOOK,
        PATH: `${dirname(process.env.TEMPORAL_CLI_PATH!)}:${process.env.PATH}`,
      });
      try {
        for (const step of steps) {
          const script = onThisStack(step.script);
          const deadline = Date.now() + 60_000;
          let result = await shell.run(script, 120_000);
          let why = mismatch(step, result);
          while (why && readOnly(step, result) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 2000));
            result = await shell.run(script, 120_000);
            why = mismatch(step, result);
          }
          if (why) {
            throw new Error(
              `${doc}:${step.line}: ${why}\n--- command\n${step.script}\n--- doc shows\n${step.expect?.said ?? '(success)'}\n--- stdout\n${result.out.slice(0, 4000)}\n--- stderr\n${result.err.slice(0, 2000)}`,
            );
          }
        }
      } finally {
        shell.close();
      }
    },
    600_000,
  );
});
