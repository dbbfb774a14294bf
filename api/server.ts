// The HTTP API for backend services and operators. Foundation slice: authenticated event ingest that
// starts or signals the customer's journey runs with signalWithStart.
import Fastify, { type FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { journeyEventSignal, type JourneyEvent } from '../workflows/messages.ts';
import type { ScaffoldInput } from '../workflows/scaffold.ts';

export interface ScaffoldDefinition {
  id: string;
  listen: string[];
  firstAskDelay: string;
  subject: string;
}

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  apiKeys: string[];
  definitions: ScaffoldDefinition[];
  logger?: boolean;
}

function bearerMatches(header: string | undefined, keys: string[]): boolean {
  const presented = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  return keys.some((key) => {
    const expected = Buffer.from(key);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
}

export function journeyWorkflowId(journeyId: string, customerId: string): string {
  return `journey:${journeyId}:${customerId}`;
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1/')) return;
    if (!bearerMatches(req.headers.authorization, opts.apiKeys)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'send Authorization: Bearer <api key>' });
    }
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.post('/v1/events', {
    schema: {
      body: {
        type: 'object',
        required: ['id', 'type', 'customerId'],
        properties: {
          id: { type: 'string', minLength: 1 },
          type: { type: 'string', minLength: 1 },
          customerId: { type: 'string', minLength: 1 },
          occurredAt: { type: 'string' },
          data: { type: 'object' },
          traits: { type: 'object' },
        },
      },
    },
  }, async (req, reply) => {
    const body = req.body as Partial<JourneyEvent>;
    const event: JourneyEvent = {
      id: body.id!, type: body.type!, customerId: body.customerId!,
      occurredAt: body.occurredAt ?? new Date().toISOString(), data: body.data ?? {}, traits: body.traits,
    };
    const journeys = [];
    for (const def of opts.definitions.filter((d) => d.listen.includes(event.type))) {
      const workflowId = journeyWorkflowId(def.id, event.customerId);
      const input: ScaffoldInput = { journeyId: def.id, customerId: event.customerId, firstAskDelay: def.firstAskDelay, subject: def.subject };
      const handle = await opts.client.workflow.signalWithStart('scaffoldJourney', {
        workflowId, taskQueue: opts.taskQueue, args: [input], signal: journeyEventSignal, signalArgs: [event],
      });
      journeys.push({ journeyId: def.id, workflowId, runId: handle.signaledRunId });
    }
    return reply.code(202).send({ eventId: event.id, journeys });
  });

  return app;
}
