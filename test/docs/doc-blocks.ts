// The fenced blocks of README.md and docs/*.md, as the doc runner (test/docs-run.test.ts) reads them.
//
// The convention, for whoever writes docs:
// - Every fenced block names its language. `sh` blocks are commands and requests: the suite runs them, in order,
//   one shell per file (variables set in one block hold in the next), against a live stack on free ports.
// - A `sh` block that cannot run there says so in an HTML comment right before it:
//   `<!-- not run: the reason -->` (e.g. production deploy steps). The reason is required.
// - Inside a `sh` block, a comment `# → …` after a command states what it answers, and the suite checks it:
//   `# → 202` (the HTTP status of every curl call since the previous `# →`; `200 or 409` for a choice),
//   `# → exit 1` (a command that fails on purpose), `# → 200 { "status": "accepted", ... }` (and the JSON printed contains this: objects may have more keys,
//   `"..."` stands for any value, `...` in an array for any further items), or `# → some text ... more` (the
//   output contains these lines in order; `...` stands for any text). A result comment may go on over the
//   following `#   ` lines. Commands with no `# →` must succeed: exit code 0, and no curl answer of 400 or more.
// - Blocks of other languages (`json`, `ts`, `mermaid`, `text`, `yaml`) are data, never run.
import { readFileSync } from 'node:fs';

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string;
  /** The reason from a `<!-- not run: … -->` comment right before the block. */
  notRun?: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)?.*$/;

export function docBlocks(file: string, text = readFileSync(file, 'utf8')): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j].slice(open[1].length));
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const notRun = k >= 0 ? /^<!--\s*not run:\s*(.+?)\s*-->$/.exec(lines[k].trim())?.[1] : undefined;
    blocks.push({ file, line: i + 1, lang: open[3] ?? '', body: body.join('\n'), notRun });
    i = j;
  }
  return blocks;
}

/** One command (or several lines of them) and what the doc says it answers. */
export interface DocStep {
  line: number;
  script: string;
  expect?: Expectation;
}

export interface Expectation {
  /** The text after `→`, as written. */
  said: string;
  /** `# → exit 1 …`: the exit code the command ends with (0 when not said). */
  exit?: number;
  statuses: number[];
  json?: string;
  text?: string;
}

const RESULT = /^\s*#\s*→\s?(.*)$/;
const CONTINUED = /^\s*#\s{2,}(.*)$/;

/** Splits a `sh` block into steps at each `# →` result comment. */
export function docSteps(block: DocBlock): DocStep[] {
  const lines = block.body.split('\n');
  const steps: DocStep[] = [];
  let script: string[] = [];
  let start = block.line + 1;
  for (let i = 0; i < lines.length; i++) {
    const result = RESULT.exec(lines[i]);
    if (!result) {
      if (script.length === 0) start = block.line + 1 + i;
      script.push(lines[i]);
      continue;
    }
    const said = [result[1]];
    while (i + 1 < lines.length && CONTINUED.test(lines[i + 1]) && !RESULT.test(lines[i + 1])) said.push(CONTINUED.exec(lines[++i])![1]);
    steps.push({ line: start, script: script.join('\n'), expect: parseExpectation(said.join('\n')) });
    script = [];
  }
  if (script.some((l) => l.trim() && !l.trim().startsWith('#'))) steps.push({ line: start, script: script.join('\n') });
  return steps;
}

export function parseExpectation(said: string): Expectation {
  const exit = /^exit (\d+)\b\s*([\s\S]*)$/.exec(said.trim());
  if (exit) return { ...parseExpectation(exit[2]), said, exit: Number(exit[1]) };
  const m = /^((?:\d{3})(?:\s*(?:,|or)\s*\d{3})*)(?=\s|$)\s*([\s\S]*)$/.exec(said.trim());
  const statuses = m ? m[1].split(/\s*(?:,|or)\s*/).map(Number) : [];
  const rest = (m ? m[2] : said).trim();
  if (!rest) return { said, statuses };
  if (rest.startsWith('{') || rest.startsWith('[')) return { said, statuses, json: rest };
  return { said, statuses, text: rest };
}
