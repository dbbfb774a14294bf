// The advocate score configuration (definitions/advocate-score.json): loaded and checked once at process start by
// the worker and the API, then passed as the customer workflow's input — workflow code never reads this file, so
// editing it changes new customer workflows (and runs after their next start), never a replayed history.
// A bad file is refused with every problem as data (file, line, column, pointer, message).
import { fileURLToPath } from 'node:url';
import schema from './schema/advocate-score.schema.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import {
  checkConfigDocument,
  ConfigFileError,
  configFileLoaders,
  eventPathProblems,
  lazyValidator,
  unknownCatalogEvent,
} from './config-file.ts';
import type { ConfigCheck, PlaceProblem } from './config-file.ts';
import type { AdvocateScoreConfig } from './generated/advocate-score.ts';

export type { AdvocateScoreConfig, ScoreSignalRule, ScoreTier } from './generated/advocate-score.ts';

export const ADVOCATE_SCORE_FILE = fileURLToPath(new URL('./advocate-score.json', import.meta.url));

export class AdvocateScoreConfigError extends ConfigFileError {
  static override readonly what = 'advocate score config';
}

const validator = lazyValidator(schema);

/** Every problem in one config document, [] when it is valid. `file` names it in the diagnostics. */
export function checkAdvocateScoreConfig(source: string, file: string): ConfigCheck<AdvocateScoreConfig> {
  return checkConfigDocument<AdvocateScoreConfig>(source, file, { validate: validator(), semantic: scoreRuleProblems });
}

function scoreRuleProblems(config: AdvocateScoreConfig, at: PlaceProblem): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // A signal for an event the catalog does not know would never score: say so instead of ignoring it.
  const ids = new Set<string>();
  config.signals.forEach((signal, i) => {
    diagnostics.push(...unknownCatalogEvent(signal.event, `/signals/${i}/event`, at));
    diagnostics.push(...eventPathProblems(signal.when, `/signals/${i}/when`, signal.event, at));
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
  return diagnostics;
}

/**
 * loadAdvocateScoreConfig(path?): loads and checks the config file (default: the shipped one).
 * loadAdvocateScoreConfigFromEnv(env?): the config named by JOURNEY_ADVOCATE_SCORE, else the shipped file.
 * Both throw AdvocateScoreConfigError with every problem.
 */
export const { load: loadAdvocateScoreConfig, loadFromEnv: loadAdvocateScoreConfigFromEnv } = configFileLoaders<AdvocateScoreConfig>({
  shippedFile: ADVOCATE_SCORE_FILE,
  envVar: 'JOURNEY_ADVOCATE_SCORE',
  check: checkAdvocateScoreConfig,
  error: AdvocateScoreConfigError,
});
