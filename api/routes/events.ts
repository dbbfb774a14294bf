// POST /v1/events and /v1/events/batch: backend services report what happened; each event is taken once.
import type { JourneyEvent } from '../../workflows/contract/index.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiContext } from '../context.ts';
import { MAX_BATCH, MAX_EVENT_BYTES } from '../context.ts';
import { EventNotTaken, mapWithConcurrency, type EventNotTakenResult, type EventResult } from '../ingest.ts';
import { problemsFrom } from '../event-validator.ts';
import { sendError } from '../errors.ts';
import { bearerRoute, batchResultSchema, batchSchema, errorResponses, eventResultSchema, eventSchema } from '../schemas.ts';

/** A 409: the event's result (reason: conflict) and the error shape's fields. */
const conflictSchema = {
  ...eventResultSchema,
  required: ['status', 'error', 'message', 'errors', 'requestId'],
  properties: { ...eventResultSchema.properties, message: { type: 'string' }, requestId: { type: 'string' } },
} as const;

/** How many events of one batch are routed at once. Each takes 2-5 Temporal calls (api/routing.ts), so 32 keep the
 *  server as busy as 32 clients sending single events; one customer's events still go in order (customer lanes). */
const BATCH_LANES = 32;

export async function registerEventRoutes(app: FastifyInstance, ctx: ApiContext) {
  // Batch items are checked here, one by one, with the same envelope schema as a single event.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const checkEnvelope = ajv.compile(eventSchema);

  const shed = (reply: FastifyReply, n: number, type: string) => {
    ctx.metrics.rejectEvents(type, 'shed', n);
    const message = `too many events in flight (${ctx.limit.current}/${ctx.limit.max}); retry after a second`;
    return sendError(reply.header('retry-after', '1'), 429, 'overloaded', message, [{ pointer: '', message: 'retry after a second' }]);
  };

  app.post(
    '/events',
    bearerRoute(
      'ingest',
      'events',
      {
        summary: 'Send one event',
        body: eventSchema,
        response: { 202: eventResultSchema, 409: conflictSchema, ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
      },
      { bodyLimit: MAX_EVENT_BYTES },
    ),
    async (req, reply) => {
      const body = req.body as JourneyEvent;
      const event: JourneyEvent = { ...body, data: body.data ?? {} };
      if (!ctx.limit.tryAcquire(1)) return shed(reply, 1, event.type);
      try {
        // EventNotTaken (Temporal did not take it) propagates: the error handler answers 503 temporal_unavailable.
        const result = await ctx.ingest.ingest(event);
        if (result.status === 'rejected' && result.reason === 'invalid') {
          return reply.code(400).send({
            error: 'invalid_event',
            message: result.errors.map((e) => `${e.pointer}: ${e.message}`).join('; '),
            errors: result.errors,
            requestId: req.id,
          });
        }
        if (result.status === 'rejected')
          // A conflict: the result with the error shape's fields, so a client reads every 4xx the same way.
          return reply.code(409).send({
            ...result,
            error: 'conflict',
            message: result.errors.map((e) => `${e.pointer}: ${e.message}`).join('; '),
            requestId: req.id,
          });
        return reply.code(202).send(result);
      } finally {
        ctx.limit.release(1);
      }
    },
  );

  app.post(
    '/events/batch',
    bearerRoute('ingest', 'events', {
      summary: `Send up to ${MAX_BATCH} events; each is answered on its own (503 when any could not be taken now: send the batch again)`,
      body: batchSchema,
      response: { 202: batchResultSchema, 503: batchResultSchema, ...errorResponses(400, 401, 403, 413, 429) },
    }),
    async (req, reply) => {
      const { events } = req.body as { events: unknown[] };
      if (events.length > MAX_BATCH) {
        const message = `a batch holds at most ${MAX_BATCH} events; this one has ${events.length}`;
        return sendError(reply, 413, 'batch_too_large', message, [{ pointer: '/events', message, expected: `at most ${MAX_BATCH} items` }]);
      }
      if (!ctx.limit.tryAcquire(events.length)) return shed(reply, events.length, 'batch');
      try {
        const results = await mapWithConcurrency(events, BATCH_LANES, async (item, i): Promise<EventResult | EventNotTakenResult> => {
          if (!checkEnvelope(item)) {
            const raw = item as Partial<JourneyEvent>;
            ctx.metrics.rejectEvents(raw?.type, 'invalid');
            return {
              id: typeof raw?.id === 'string' ? raw.id : null,
              status: 'rejected',
              reason: 'invalid',
              errors: problemsFrom(checkEnvelope.errors, `/events/${i}`),
            };
          }
          const event = item as unknown as JourneyEvent;
          let result: EventResult;
          try {
            result = await ctx.ingest.ingest({ ...event, data: event.data ?? {} });
          } catch (err) {
            if (err instanceof EventNotTaken) return err.asResult();
            throw err;
          }
          // Pointers of a batch item say which item: /events/<index>/...
          return result.status === 'rejected'
            ? { ...result, errors: result.errors.map((e) => ({ ...e, pointer: `/events/${i}${e.pointer}` })) }
            : result;
        });
        const count = (s: (EventResult | EventNotTakenResult)['status']) => results.filter((r) => r.status === s).length;
        // A batch with an event the engine could not take is not a success: a client that reads only the status
        // code sends it again (the taken ones are answered as duplicates, by id), and nothing is lost.
        const failed = count('failed');
        if (failed > 0) reply.header('retry-after', '1');
        return reply.code(failed > 0 ? 503 : 202).send({ accepted: count('accepted'), rejected: count('rejected'), failed, results });
      } finally {
        ctx.limit.release(events.length);
      }
    },
  );
}
