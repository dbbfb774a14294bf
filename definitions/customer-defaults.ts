// What every process that can start a customer workflow (worker activities, API, `journey simulate`) passes to it:
// the global contact policy (JOURNEY_CONTACT_POLICY, else definitions/contact-policy.json) and the advocate score
// weights (JOURNEY_ADVOCATE_SCORE, else definitions/advocate-score.json), each checked once. Loaded the same way
// everywhere, so the process that happens to start customer:<id> first cannot run it with other rules.
import { loadAdvocateScoreConfigFromEnv, type AdvocateScoreConfig } from './advocate-score.ts';
import { loadContactPolicyFromEnv, type ContactPolicy } from './contact-policy.ts';

export interface CustomerDefaults {
  contactPolicy: ContactPolicy;
  scoreConfig: AdvocateScoreConfig;
}

/** Throws ContactPolicyError / AdvocateScoreConfigError (every problem, with file and line) on a bad file. */
export function customerDefaultsFromEnv(env: NodeJS.ProcessEnv = process.env): CustomerDefaults {
  return { contactPolicy: loadContactPolicyFromEnv(env), scoreConfig: loadAdvocateScoreConfigFromEnv(env) };
}
