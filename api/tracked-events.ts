// Catalog events marked `tracked` (link clicks and shares, lead qualification, referred accounts' renewals, churn,
// expansion and contraction, QBRs) are facts no journey stage writes: the API appends each to the tracking log as it
// accepts it, before answering, keyed by the event id so a retried POST is written once. The advocate and journey
// come from the referral code when the event has one; otherwise the report attributes the record through its
// referralId to the referral's submission (reports/engine/tracking-view.ts).
import type { Catalog } from '../definitions/compiler/catalog.ts';
import type { OutcomeTrackingRecord } from '../workflows/contract/index.ts';
import { appendTracking } from '../activities/tracking/ndjson-log.ts';
import type { JourneyEvent } from '../workflows/contract/index.ts';
import { DEV_REFERRAL_CODE_SECRET, resolveReferralCode } from './referral-code.ts';

export function trackedEventTypes(catalog: Catalog): Set<string> {
  return new Set(
    Object.entries(catalog.events)
      .filter(([, e]) => e.tracked)
      .map(([type]) => type),
  );
}

/** The tracking record of a tracked event, or undefined for an event no report needs from the API. */
export function trackedEventRecord(
  event: JourneyEvent,
  tracked: Set<string>,
  journeyIds: readonly string[],
  secret = DEV_REFERRAL_CODE_SECRET,
): OutcomeTrackingRecord | undefined {
  if (!tracked.has(event.type)) return undefined;
  const data: Record<string, unknown> = { ...event.data, eventId: event.id };
  const code = typeof event.data?.referralCode === 'string' ? resolveReferralCode(secret, event.data.referralCode, journeyIds) : undefined;
  if (code && typeof data.referrerId !== 'string') data.referrerId = code.customerId;
  return {
    key: `event:${event.id}`,
    at: event.occurredAt,
    ...(code && !code.legacy ? { journeyId: code.journeyId } : {}),
    customerId: event.customerId,
    stage: 'track',
    type: event.type,
    data,
  };
}

export function createTrackedEventWriter(dataDir: string, catalog: Catalog, secret?: string) {
  const tracked = trackedEventTypes(catalog);
  return async (event: JourneyEvent, journeyIds: readonly string[]): Promise<void> => {
    const rec = trackedEventRecord(event, tracked, journeyIds, secret);
    if (rec) await appendTracking(dataDir, rec);
  };
}
