// A bound on how deeply a request body may nest, checked at the door for every route (the Postmark webhook too).
// JSON.parse takes thousands of levels in a few kilobytes, but what follows it recurses: the event fingerprint
// (canonical JSON), JSON.stringify before the compiler, Temporal's payload converter. A body nested deeper than any
// real event or definition is a 400 that names where it goes too deep, never a stack overflow answered with 500.
import type { FastifyInstance } from 'fastify';

/** Far deeper than any event (data is a few levels) or journey definition (JSON Logic conditions nest a dozen). */
export const MAX_BODY_DEPTH = 64;

/** JSON pointer escaping (RFC 6901). */
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The path to the first value nested deeper than `max` (objects and arrays count one level each), or undefined.
 * Iterative, so the check itself cannot overflow the stack it protects.
 */
export function pathTooDeep(value: unknown, max = MAX_BODY_DEPTH): string[] | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= max) return path;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [key, child] of entries) if (child !== null && typeof child === 'object') stack.push({ value: child, path: [...path, key] });
  }
  return undefined;
}

export function registerBodyDepthLimit(app: FastifyInstance, max = MAX_BODY_DEPTH): void {
  app.addHook('preValidation', async (req, reply) => {
    const path = pathTooDeep(req.body, max);
    if (!path) return;
    // The pointer to the value at the limit: at most `max` segments, never the whole 5,000-level path.
    const pointer = `/${path.map(escape).join('/')}`;
    return reply.code(400).send({
      error: 'invalid_request',
      message: `the body nests deeper than ${max} levels at ${pointer}`,
      errors: [
        { in: 'body', pointer, message: `nested deeper than ${max} levels`, expected: `at most ${max} levels of objects and arrays` },
      ],
      requestId: req.id,
    });
  });
}
