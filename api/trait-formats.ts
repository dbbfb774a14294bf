// Formats the traits schema (definitions/catalog/traits.schema.json) uses beyond ajv-formats: every Ajv instance
// that checks traits (fastify's for PUT /v1/customers/:id, the event validator for event.traits) adds them, so an
// address or a zone no ask could use is refused at the door with a pointer instead of dropping the ask later.
import type { Ajv } from 'ajv';

/** Whether this runtime's Intl knows the IANA zone (the same test the send window uses inside the workflow). */
export function isIanaTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function addTraitFormats<A extends Pick<Ajv, 'addFormat'>>(ajv: A): A {
  ajv.addFormat('iana-time-zone', { type: 'string', validate: isIanaTimeZone });
  return ajv;
}
