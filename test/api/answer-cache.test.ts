// The answers the API keeps for retries (api/answer-pack.ts): packed once accepted, unpacked equal; kept in the order
// the events came (oldest forgotten first), whichever answer came back first; a failed routing forgets only itself.
// The API's own duplicates (test/api/events.test.ts) go through the same cache end to end.
import { describe, expect, it } from 'vitest';
import { AnswerCache, AnswerPacker } from '../../api/answer-pack.ts';
import { notRoutedReason } from '../../api/routing.ts';

const JOURNEYS = ['nps-promoter-referral', 'milestone-review-ask', 'support-praise-advocacy', 'strategic-reference-advisory'];

/** An answer shaped as the API gives it for a customer's first NPS answer: one run started, the others not routed. */
function npsAnswer(eventId: string, customerId: string) {
  return {
    id: eventId,
    status: 'accepted' as const,
    duplicate: false,
    journeys: JOURNEYS.map((journeyId, i) => {
      const workflowId = `journey:${journeyId}:${customerId}`;
      const base = { journeyId, version: 1 + i, workflowId, roles: i === 0 ? ['listen', 'suppress'] : ['suppress'] };
      return i === 0
        ? { ...base, runId: `0191c2d4-${i}-run`, outcome: 'started' as const }
        : {
            ...base,
            outcome: 'not-routed' as const,
            reason: notRoutedReason(workflowId, customerId, 'suppress events only act on a run in flight', true),
          };
    }),
    customer: { workflowId: `customer:${customerId}`, runId: '0191c2d4-customer', outcome: 'started' as const },
  };
}

describe('answers kept for retries, packed (api/answer-pack.ts)', () => {
  const packer = new AnswerPacker(JOURNEYS);

  it('unpacks what it packed, exactly: any text, any customer id, a journey the dictionary never saw', () => {
    const answers = [
      npsAnswer('evt-1', 'c1'),
      npsAnswer('évt-ü-2', 'Zoë "quoted" \\ back\\slash 日本 🚀'),
      {
        ...npsAnswer('evt-3', 'c3'),
        journeys: [{ journeyId: 'a-journey-added-later', version: 9, outcome: 'signalled', roles: ['actions'] }],
      },
      { id: 'evt-4', status: 'accepted', duplicate: false, journeys: [], customer: { workflowId: 'customer:c4', outcome: 'signalled' } },
    ];
    for (const answer of answers) expect(packer.unpack(packer.pack(answer))).toEqual(answer);
    // The dictionary depends on the journey ids only: a packer built from the same ones reads it.
    expect(new AnswerPacker(JOURNEYS).unpack(packer.pack(answers[1]))).toEqual(answers[1]);
  });

  it('packs an NPS answer with the shipped journeys to under a fifth of its JSON', () => {
    const answer = npsAnswer('mxa8w1wr-c12345-1', 'mxa8w1wr-c12345');
    const json = JSON.stringify(answer).length;
    expect(json).toBeGreaterThan(1000);
    expect(packer.pack(answer).length).toBeLessThan(json / 5);
  });

  it('keeps the order the events came in, whichever answer came back first, and forgets the oldest past its size', async () => {
    const cache = new AnswerCache<ReturnType<typeof npsAnswer>>(2, packer);
    const a = npsAnswer('a', 'ca');
    const b = npsAnswer('b', 'cb');
    const routingA = Promise.resolve(a);
    const routingB = Promise.resolve(b);
    cache.routing('a', 'fa', routingA);
    cache.routing('b', 'fb', routingB);
    // While routed, a duplicate waits for the same answer.
    expect(await cache.get('a')!.answer()).toBe(a);
    cache.accepted('b', routingB, b);
    cache.accepted('a', routingA, a); // packed after b, yet still the older of the two
    expect(cache.get('a')!.fingerprint).toBe('fa');
    expect(await cache.get('a')!.answer()).toEqual(a);
    expect(await cache.get('a')!.answer()).not.toBe(a); // unpacked: a copy
    cache.routing('c', 'fc', Promise.resolve(npsAnswer('c', 'cc')));
    expect(cache.get('a')).toBeUndefined();
    expect(await cache.get('b')!.answer()).toEqual(b);
    expect(cache.count).toBe(2);
  });

  it('a failed routing forgets its own entry only, never a later routing of the same id', async () => {
    const cache = new AnswerCache<ReturnType<typeof npsAnswer>>(10, packer);
    const failing = Promise.reject(new Error('Temporal down'));
    failing.catch(() => {});
    cache.routing('x', 'f1', failing);
    cache.failed('x', failing);
    expect(cache.get('x')).toBeUndefined();

    const first = Promise.reject(new Error('Temporal down'));
    first.catch(() => {});
    cache.routing('y', 'f1', first);
    const retry = Promise.resolve(npsAnswer('y', 'cy'));
    cache.routing('y', 'f1', retry); // the client's retry, while the first attempt had not yet failed
    cache.failed('y', first);
    cache.accepted('y', first, npsAnswer('y', 'stale')); // nor does a late answer of the first attempt replace it
    expect(await cache.get('y')!.answer()).toBe(await retry);
  });
});
