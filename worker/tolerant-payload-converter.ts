// The payload converter bundled into the workflow sandbox (bundleJourneyWorkflows in worker/worker.ts): the SDK's
// default, except that a payload it cannot decode becomes an UnreadablePayload marker instead of an exception.
// Why: the SDK decodes a signal's arguments before any handler runs, and a decode error there fails the workflow
// task; the retry decodes the same history and fails again, so one signal with an unknown encoding or broken JSON
// (any client can send one) leaves the run stuck for ever, not even answering queries. With the marker, the
// handler sees malformed input and refuses it with a note (workflows/journey/event-intake.ts). Encoding is the
// default's, byte for byte, so histories replay unchanged.
import { DefaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import type { UnreadablePayload } from '../workflows/contract/unreadable-payload.ts';

const decoder = new TextDecoder();

class TolerantPayloadConverter implements PayloadConverter {
  private readonly inner = new DefaultPayloadConverter();

  toPayload<T>(value: T): Payload {
    return this.inner.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      return this.inner.fromPayload<T>(payload);
    } catch (err) {
      const encoding = payload.metadata?.encoding ? decoder.decode(payload.metadata.encoding).slice(0, 100) : '(none)';
      const marker: UnreadablePayload = { unreadablePayload: { encoding, error: String((err as Error)?.message ?? err).slice(0, 200) } };
      return marker as T;
    }
  }
}

export const payloadConverter = new TolerantPayloadConverter();
