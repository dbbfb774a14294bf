// The advocate score configuration (definitions/advocate-score.json): loaded and checked once at process start by
// the worker and the API, then passed as the customer workflow's input — workflow code never reads this file, so
// editing it changes new customer workflows (and runs after their next start), never a replayed history.
// A bad file is refused with every problem as data (file, line, column, pointer, message).
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import schema from './schema/advocate-score.schema.json' with { type: 'json' };
import catalog from './catalog/events.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { parseWithPositions } from './compiler/positions.ts';
import { closest } from './compiler/suggest.ts';
import type { AdvocateScoreConfig } from './generated/advocate-score.ts';

export type { AdvocateScoreConfig, ScoreSignalRule, ScoreTier } from './generated/advocate-score.ts';

export const ADVOCATE_SCORE_FILE = fileURLToPath(new URL('./advocate-score.json', import.meta.url));
const REPO_ROOT = dirname(dirname(ADVOCATE_SCORE_FILE));

export class AdvocateScoreConfigError extends Error {
  constructor(readonly file: string, readonly diagnostics: Diagnostic[]) {
    super(`invalid advocate score config ${file}:\n${diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.pointer || '(document)'}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`).join('\n')}`);
    this.name = 'AdvocateScoreConfigError';
  }
}

let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  validate ??= new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validate;
}

function messageOf(e: ErrorObject): { pointer: string; message: string } {
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    return { pointer: `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown key \`${key}\`` };
  }
  if (e.keyword === 'required') return { pointer: e.instancePath, message: `missing \`${e.params.missingProperty}\`` };
  return { pointer: e.instancePath, message: e.message ?? e.keyword };
}

/** Every problem in one config document, [] when it is valid. `file` names it in the diagnostics. */
export function checkAdvocateScoreConfig(source: string, file: string): { config?: AdvocateScoreConfig; diagnostics: Diagnostic[] } {
  const parsed = parseWithPositions(source);
  const at = (pointer: string, message: string, code: string, suggestion?: string): Diagnostic => ({
    file, ...parsed.locate(pointer), pointer, message, code, severity: 'error', ...(suggestion ? { suggestion } : {}),
  });
  if (parsed.syntaxErrors.length > 0 || parsed.value === undefined) {
    return {
      diagnostics: parsed.syntaxErrors.map((e) => {
        const lines = source.slice(0, e.offset).split('\n');
        return { file, line: lines.length, column: lines[lines.length - 1].length + 1, pointer: '', message: `not valid JSON: ${e.message}`, code: 'json.syntax', severity: 'error' };
      }),
    };
  }
  const check = validator();
  if (!check(parsed.value)) {
    const seen = new Set<string>();
    const diagnostics = (check.errors ?? []).map((e) => {
      const { pointer, message } = messageOf(e);
      return at(pointer, message, `schema.${e.keyword}`);
    }).filter((d) => !seen.has(`${d.pointer} ${d.message}`) && seen.add(`${d.pointer} ${d.message}`));
    return { diagnostics };
  }
  const config = parsed.value as AdvocateScoreConfig;
  const diagnostics: Diagnostic[] = [];
  // A signal for an event the catalog does not know would never score: say so instead of ignoring it.
  const known = Object.keys(catalog.events);
  const ids = new Set<string>();
  config.signals.forEach((signal, i) => {
    if (!known.includes(signal.event)) {
      const near = closest(signal.event, known);
      diagnostics.push(at(`/signals/${i}/event`, `unknown event type \`${signal.event}\``, 'catalog.unknownEvent', near ? `did you mean \`${near}\`?` : undefined));
    }
    if (ids.has(signal.id)) diagnostics.push(at(`/signals/${i}/id`, `signal id \`${signal.id}\` is used twice`, 'score.duplicateId', 'give each signal its own id'));
    ids.add(signal.id);
  });
  if (!(config.min < config.max)) diagnostics.push(at('/max', `max (${config.max}) must be above min (${config.min})`, 'score.range'));
  const tiers = new Set<string>();
  config.tiers.forEach((tier, i) => {
    if (tiers.has(tier.tier)) diagnostics.push(at(`/tiers/${i}/tier`, `tier \`${tier.tier}\` is listed twice`, 'score.duplicateTier'));
    tiers.add(tier.tier);
  });
  return diagnostics.length > 0 ? { diagnostics } : { config, diagnostics: [] };
}

/** Loads and checks the config file (default: the shipped one). Throws AdvocateScoreConfigError with every problem. */
export function loadAdvocateScoreConfig(path: string = ADVOCATE_SCORE_FILE): AdvocateScoreConfig {
  const absolute = resolve(path);
  const rel = relative(REPO_ROOT, absolute);
  const file = rel.startsWith('..') ? absolute : rel.split('\\').join('/');
  let source: string;
  try {
    source = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new AdvocateScoreConfigError(file, [{ file, line: 1, column: 1, pointer: '', message: `cannot read: ${(err as Error).message}`, code: 'file.unreadable', severity: 'error' }]);
  }
  const { config, diagnostics } = checkAdvocateScoreConfig(source, file);
  if (!config) throw new AdvocateScoreConfigError(file, diagnostics);
  const { $schema: _schema, $comment: _comment, ...rest } = config;
  return rest;
}

/** The config named by JOURNEY_ADVOCATE_SCORE, else the shipped file. */
export function loadAdvocateScoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AdvocateScoreConfig {
  return loadAdvocateScoreConfig(env.JOURNEY_ADVOCATE_SCORE || ADVOCATE_SCORE_FILE);
}
