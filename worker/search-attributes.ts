// The custom search attributes journey runs set, chosen within the dev server's SQL visibility limits
// (about 3 Int, 3 Datetime, 3 Bool, 3 Double, 10 Keyword per namespace). One list, used to register them
// on the dev server and to check a cluster at worker start.
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

export const ALL_SEARCH_ATTRIBUTES = [
  JourneyId, JourneyVersion, CustomerId, JourneyStage, AdvocacyMotion, AdvocateTier,
  Suppressed, ReferralCount, AdvocateScore, InvitedAt, FirstReferralAt,
];

const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `Name=Type` arguments for `temporal server start-dev --search-attribute`. */
export function devServerSearchAttributeArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}
