// Catalog events marked `tracked` (link clicks and shares, lead qualification, referred accounts' renewals, churn,
// expansion and contraction, QBRs) are facts no journey stage writes: the API appends each to the tracking log as it
// accepts it, before answering, keyed by the event id so a retried POST is written once. The advocate and journey
// come from the referral code when the event has one; otherwise the report attributes the record through its
// referralId to the referral's submission (reports/engine/tracking-view.ts).
import type { Catalog } from '../definitions/compiler/catalog.ts';
import type { OutcomeTrackingRecord, TrackingRecord } from '../workflows/contract/index.ts';
import type { JourneyDelivery } from './routing.ts';
import { trackingLogWriter } from '../activities/tracking/ndjson-log.ts';
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

/**
 * An NPS answer a journey names that reached no run of it (the answer cannot open a cycle there and no run was open:
 * api/routing.ts). A run records every NPS answer it hears (nps.received), and the report's promoter rate divides by
 * the customers with one, per journey; so the API writes the record the run would have, keyed by event and journey.
 */
export function unroutedNpsRecords(event: JourneyEvent, deliveries: readonly JourneyDelivery[]): TrackingRecord[] {
  const score = event.type === 'nps.submitted' ? event.data?.score : undefined;
  if (typeof score !== 'number' || !Number.isFinite(score)) return [];
  return deliveries
    .filter((d) => d.outcome === 'not-routed')
    .map((d) => recordForUnrouted(event, d, 'nps.received', { eventId: event.id, nps: score, routed: false }));
}

/** The record a run of `delivery`'s journey would have written of `event` in Listen, keyed by event, type and journey. */
function recordForUnrouted(event: JourneyEvent, delivery: JourneyDelivery, type: string, data: Record<string, unknown>): TrackingRecord {
  return {
    key: `event:${event.id}:${type}:${delivery.journeyId}`,
    at: event.occurredAt,
    journeyId: delivery.journeyId,
    journeyVersion: delivery.version,
    customerId: event.customerId,
    stage: 'listen',
    ...(typeof event.traits?.segment === 'string' ? { segment: event.traits.segment } : {}),
    type,
    data,
  };
}

/**
 * An action a journey names (what one of its motions' Activate waits for) that reached no run of it: no run was in
 * flight, so no ask was open. A run in Listen records such an action as action.ignored (workflows/journey/
 * ignored-actions.ts); with no run, nothing did, and the event left no trace in the tracking log, though the API took
 * it. The chaos run found one (bench/README.md, chaos, stop 56): a community.joined sent just before the praise that
 * started the run, both released at once after an outage, reached customer:<id> 11 ms before the run existed; the
 * run then read it among the customer's facts, which apply only standing rules. So the API writes the record the
 * run would have, keyed by event and journey.
 */
export function unroutedActionRecords(event: JourneyEvent, deliveries: readonly JourneyDelivery[]): TrackingRecord[] {
  return deliveries
    .filter((d) => d.outcome === 'not-routed' && d.roles.includes('actions'))
    .map((d) =>
      recordForUnrouted(event, d, 'action.ignored', {
        eventType: event.type,
        eventId: event.id,
        reason: 'no run of this journey was in flight: no ask is open',
        routed: false,
      }),
    );
}

export function createTrackedEventWriter(dataDir: string, catalog: Catalog, secret?: string) {
  const tracked = trackedEventTypes(catalog);
  return async (event: JourneyEvent, journeyIds: readonly string[], deliveries: readonly JourneyDelivery[] = []): Promise<void> => {
    const rec = trackedEventRecord(event, tracked, journeyIds, secret);
    // One append (one sync) for the event's records, shared with the appends of other events under way.
    const records = [...(rec ? [rec] : []), ...unroutedNpsRecords(event, deliveries), ...unroutedActionRecords(event, deliveries)];
    if (records.length > 0) await trackingLogWriter(dataDir).append(records);
  };
}
