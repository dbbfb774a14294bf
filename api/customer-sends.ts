// A customer's contact history of emails across journeys (GET /v1/customers/<id> → `sends`): every email a run sent
// that the provider took, from the state of each journey's current run (journey/sends.ts), with what customer:<id>
// recorded from workers of earlier builds (their recordSend signals). Oldest first, once per send key.
import type { SentEmail } from '../workflows/contract/index.ts';

/** The sends of the profile and of each run's state (either may be missing: a state that could not be read). */
export function customerSends(
  profile: { sends?: SentEmail[] } | null | undefined,
  runStates: ReadonlyArray<{ sends?: SentEmail[] } | null | undefined>,
): SentEmail[] {
  const byKey = new Map<string, SentEmail>();
  for (const send of [...(profile?.sends ?? []), ...runStates.flatMap((state) => state?.sends ?? [])])
    if (!byKey.has(send.sendKey)) byKey.set(send.sendKey, send);
  return [...byKey.values()].sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.sendKey.localeCompare(b.sendKey));
}
