// The answers EventIngest keeps for retries (up to JOURNEY_API_ANSWER_CACHE_SIZE, 100,000 by default), packed. Kept
// as objects, an answer of the scale bench's mix took about 1.7 KB of V8 heap (its reasons name the customer and
// the run several times), so the default cache alone held 160 MB. Once an event is accepted its answer is kept as
// deflated JSON in a one-byte string, about 320 bytes (31 MB at 100,000), and unpacked only when a retry asks for it
// (bench/answer-cache.ts).
// The deflate dictionary holds what every answer repeats (field names, the routing's reasons, the journey ids), so a
// short answer packs small too. It only has to be the same for pack and unpack, within one process: nothing packed
// leaves the process.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** What EventIngest packs: an accepted answer (a plain JSON value; api/ingest.ts EventResult). */
export type PackedAnswer = string;

/** A kept answer: while the event is routed, the answer to come (a concurrent duplicate awaits the same one); once
 *  accepted, the answer packed. */
type Kept<T> = { fingerprint: string; answer: Promise<T> } | { fingerprint: string; packed: PackedAnswer };

/** The answers kept for retries, oldest forgotten first past `size`. */
export class AnswerCache<T> {
  private readonly kept = new Map<string, Kept<T>>();
  constructor(
    private readonly size: number,
    private readonly packer: AnswerPacker,
  ) {}

  /** The kept answer for an event id: its fingerprint, and the answer (unpacked, or the one still being routed). */
  get(id: string): { fingerprint: string; answer: () => Promise<T> } | undefined {
    const k = this.kept.get(id);
    if (!k) return undefined;
    return { fingerprint: k.fingerprint, answer: 'packed' in k ? async () => this.packer.unpack<T>(k.packed) : () => k.answer };
  }

  /** An event being routed: a duplicate that comes meanwhile shares `answer`. */
  routing(id: string, fingerprint: string, answer: Promise<T>): void {
    this.kept.set(id, { fingerprint, answer });
    if (this.kept.size > this.size) this.kept.delete(this.kept.keys().next().value!);
  }

  /** The event was accepted with `result`: kept packed, in the same place of the eviction order (Map.set on a kept key). */
  accepted(id: string, answer: Promise<T>, result: T): void {
    const k = this.kept.get(id);
    if (k && 'answer' in k && k.answer === answer) this.kept.set(id, { fingerprint: k.fingerprint, packed: this.packer.pack(result) });
  }

  /** Routing failed: a failure is not an answer, so the client's retry routes the event again. */
  failed(id: string, answer: Promise<T>): void {
    const k = this.kept.get(id);
    if (k && 'answer' in k && k.answer === answer) this.kept.delete(id);
  }

  get count(): number {
    return this.kept.size;
  }
}

export class AnswerPacker {
  private readonly dictionary: Buffer;

  constructor(journeyIds: readonly string[]) {
    this.dictionary = Buffer.from(answerDictionary(journeyIds), 'utf8');
  }

  pack(answer: unknown): PackedAnswer {
    return deflateRawSync(JSON.stringify(answer), { dictionary: this.dictionary }).toString('latin1');
  }

  unpack<T>(packed: PackedAnswer): T {
    return JSON.parse(inflateRawSync(Buffer.from(packed, 'latin1'), { dictionary: this.dictionary }).toString('utf8')) as T;
  }
}

/**
 * Text like the answers, most common last (deflate reaches the end of its dictionary most cheaply): the routing's
 * phrases (api/routing.ts, api/route-decision.ts) and an answer's fields around each journey id.
 */
function answerDictionary(journeyIds: readonly string[]): string {
  const phrases = [
    'its Listen signal does not hold for this nps.submitted (',
    ' is not one of its Listen signals',
    'suppress/actions/conversions/reversals/prompts/ownerTasks events only act on a run in flight',
    '"roles":["suppress"],"outcome":"signalled"},',
    '"roles":["listen","suppress"],"outcome":"started","runId":"',
    '"customer":{"workflowId":"customer:',
    '","outcome":"signalled"}}',
    '","outcome":"started","runId":"',
  ];
  const journeys = journeyIds.map(
    (id) =>
      `{"journeyId":"${id}","version":1,"workflowId":"journey:${id}:","roles":["listen"],"outcome":"not-routed","reason":"no open run journey:${id}:`,
  );
  const reasons = [
    ' and listen events only act on a run in flight; customer:',
    '"reason":"this event started customer:',
    ', so no run journey:',
    ' is open, and its Listen signal does not hold for this ',
    ' keeps it for a run started later"},',
  ];
  return [...phrases, ...journeys, ...reasons, '{"id":"', '","status":"accepted","duplicate":false,"journeys":['].join('');
}
