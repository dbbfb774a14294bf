// Formats the traits schema (definitions/catalog/traits.schema.json) uses beyond ajv-formats: every Ajv instance
// that checks traits (fastify's for PUT /v1/customers/:id, the event validator for event.traits) adds them, so an
// address or a zone no ask could use is refused at the door with a pointer instead of dropping the ask later.
import type { Ajv } from 'ajv';

/** Zones already found valid: building an Intl.DateTimeFormat costs about half a millisecond, on every event that
 *  carries traits. Bounded by what Intl knows (about 600 zones, and their case variants up to the cap). */
const knownZones = new Set<string>();
const KNOWN_ZONES_MAX = 2_000;

/** Whether this runtime's Intl knows the IANA zone (the same test the send window uses inside the workflow). */
export function isIanaTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  if (knownZones.size < KNOWN_ZONES_MAX) knownZones.add(zone);
  return true;
}

export function addTraitFormats<A extends Pick<Ajv, 'addFormat'>>(ajv: A): A {
  ajv.addFormat('iana-time-zone', { type: 'string', validate: isIanaTimeZone });
  return ajv;
}
