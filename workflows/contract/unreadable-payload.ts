// What a workflow receives in place of an argument its payload converter could not decode (a signal sent with an
// unknown encoding or broken JSON by some other client): a plain marker object, so the handler refuses it with a
// note like any malformed input, instead of the decode error failing the workflow task on every retry, for ever.
// The sandbox's converter (worker/tolerant-payload-converter.ts) makes it; handlers and validators check for it.

export interface UnreadablePayload {
  unreadablePayload: { encoding: string; error: string };
}

export function isUnreadablePayload(value: unknown): value is UnreadablePayload {
  return typeof value === 'object' && value !== null && 'unreadablePayload' in value;
}
