// The run's inbox: listen and action events waiting for the stage that takes them, carried over continue-as-new.
// Bounded, since it is carried: 1.0.0 kept the newest 50 events and dropped the oldest without a trace, and 50
// events of up to 256 KB each (the API's limit) could be 12.8 MB, far past Temporal's 2 MB payload limit. With patch
// journey-records-unapplied-events it keeps at most INBOX_MAX_EVENTS and INBOX_MAX_BYTES (UTF-8 of the JSON, as the
// payload converter writes it), always the newest event, and each event dropped leaves event.dropped (inbox-full).
// Typical events are a few hundred bytes, so 200 fit many times over; the byte bound is what keeps the carried
// state under the limit when events are large.
import type { JourneyEvent } from '../contract/index.ts';
import type { RunContext } from './context.ts';
import { recordDroppedEvent, recordsUnappliedEvents } from './unapplied-events.ts';

/** 1.0.0's bound, kept for runs whose history passed it without the patch. */
const INBOX_MAX_BEFORE = 50;
export const INBOX_MAX_EVENTS = 200;
export const INBOX_MAX_BYTES = 512 * 1024;

/** UTF-8 length of a string, counted without TextEncoder (workflow code: pure and deterministic). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function inboxBytes(inbox: JourneyEvent[]): number {
  return inbox.reduce((sum, e) => sum + utf8Bytes(JSON.stringify(e)), 0);
}

/** Queues an event for the stages, then makes room: the oldest events go first, each one recorded. */
export function queueForStages(ctx: RunContext, event: JourneyEvent): void {
  const inbox = ctx.state.inbox;
  inbox.push(event);
  const overBefore = inbox.length > INBOX_MAX_BEFORE;
  let bytes = overBefore || inbox.length > 1 ? inboxBytes(inbox) : 0;
  if (!overBefore && bytes <= INBOX_MAX_BYTES) return;
  if (!recordsUnappliedEvents(ctx)) {
    if (overBefore) inbox.shift();
    return;
  }
  while (inbox.length > 1 && (inbox.length > INBOX_MAX_EVENTS || bytes > INBOX_MAX_BYTES)) {
    const dropped = inbox.shift()!;
    bytes -= utf8Bytes(JSON.stringify(dropped));
    recordDroppedEvent(
      ctx,
      dropped,
      `the inbox holds at most ${INBOX_MAX_EVENTS} events and ${INBOX_MAX_BYTES / 1024} KB; ${event.type.slice(0, 80)} ${event.id.slice(0, 80)} came in`,
    );
  }
}
