// The advocate score configuration (definitions/advocate-score.json): loaded and checked once at process start by
// the worker and the API, then passed as the customer workflow's input — workflow code never reads this file, so
// editing it changes new customer workflows (and runs after their next start), never a replayed history.
// A bad file is refused with every problem as data (file, line, column, pointer, message).
import Ajv2020 from 'ajv/dist/2020.js';
import { fileURLToPath } from 'node:url';
import schema from './schema/advocate-score.schema.json' with { type: 'json' };
import catalog from './catalog/events.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { closest } from './compiler/suggest.ts';
import { checkConfigSource, ConfigFileError, loadConfigFile } from './config-file.ts';
import type { AdvocateScoreConfig } from './generated/advocate-score.ts';

export type { AdvocateScoreConfig, ScoreSignalRule, ScoreTier } from './generated/advocate-score.ts';

export const ADVOCATE_SCORE_FILE = fileURLToPath(new URL('./advocate-score.json', import.meta.url));

export class AdvocateScoreConfigError extends ConfigFileError {
  constructor(file: string, diagnostics: Diagnostic[]) {
    super('advocate score config', file, diagnostics);
    this.name = 'AdvocateScoreConfigError';
  }
}

let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  validate ??= new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validate;
}

/** Every problem in one config document, [] when it is valid. `file` names it in the diagnostics. */
export function checkAdvocateScoreConfig(source: string, file: string): { config?: AdvocateScoreConfig; diagnostics: Diagnostic[] } {
  const checked = checkConfigSource<AdvocateScoreConfig>(source, file, validator());
  const { value: config, at } = checked;
  if (!config) return { diagnostics: checked.diagnostics };
  const diagnostics: Diagnostic[] = [];
  // A signal for an event the catalog does not know would never score: say so instead of ignoring it.
  const known = Object.keys(catalog.events);
  const ids = new Set<string>();
  config.signals.forEach((signal, i) => {
    if (!known.includes(signal.event)) {
      const near = closest(signal.event, known);
      diagnostics.push(
        at(
          `/signals/${i}/event`,
          `unknown event type \`${signal.event}\``,
          'catalog.unknownEvent',
          near ? `did you mean \`${near}\`?` : undefined,
        ),
      );
    }
    if (ids.has(signal.id))
      diagnostics.push(
        at(`/signals/${i}/id`, `signal id \`${signal.id}\` is used twice`, 'score.duplicateId', 'give each signal its own id'),
      );
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
  return loadConfigFile(
    path,
    (source, file) => {
      const { config, diagnostics } = checkAdvocateScoreConfig(source, file);
      return { value: config, diagnostics };
    },
    (file, diagnostics) => new AdvocateScoreConfigError(file, diagnostics),
  );
}

/** The config named by JOURNEY_ADVOCATE_SCORE, else the shipped file. */
export function loadAdvocateScoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AdvocateScoreConfig {
  return loadAdvocateScoreConfig(env.JOURNEY_ADVOCATE_SCORE || ADVOCATE_SCORE_FILE);
}
