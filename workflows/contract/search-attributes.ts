// The custom search attributes journey and customer runs set, chosen within the dev server's SQL visibility limits
// (about 3 Int, 3 Datetime, 3 Bool, 3 Double, 10 Keyword per namespace). Workflows upsert them, the API and tests
// list by them; worker/search-attributes.ts registers and checks this list.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const JourneyId = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersion = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const JourneyStage = defineSearchAttributeKey('JourneyStage', SearchAttributeType.KEYWORD);
export const AdvocacyMotion = defineSearchAttributeKey('AdvocacyMotion', SearchAttributeType.KEYWORD);
export const AdvocateTier = defineSearchAttributeKey('AdvocateTier', SearchAttributeType.KEYWORD);
export const Suppressed = defineSearchAttributeKey('Suppressed', SearchAttributeType.BOOL);
export const ReferralCount = defineSearchAttributeKey('ReferralCount', SearchAttributeType.INT);
export const AdvocateScore = defineSearchAttributeKey('AdvocateScore', SearchAttributeType.DOUBLE);
export const InvitedAt = defineSearchAttributeKey('InvitedAt', SearchAttributeType.DATETIME);
export const FirstReferralAt = defineSearchAttributeKey('FirstReferralAt', SearchAttributeType.DATETIME);
/** The experiment arm (or `control`) governing the run's current cycle, empty outside an experiment. */
export const JourneyExperimentArm = defineSearchAttributeKey('JourneyExperimentArm', SearchAttributeType.KEYWORD);
/** The release of the workflow code that started the run's current history (workflows/release.ts), on journey runs
 *  and customer:<id> alike: which runs must hand over before a patch can be removed (docs/versioning.md). */
export const JourneyRelease = defineSearchAttributeKey('JourneyRelease', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  JourneyId,
  JourneyVersion,
  CustomerId,
  JourneyStage,
  AdvocacyMotion,
  AdvocateTier,
  Suppressed,
  ReferralCount,
  AdvocateScore,
  InvitedAt,
  FirstReferralAt,
  JourneyRelease,
  JourneyExperimentArm,
];
