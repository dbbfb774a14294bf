// JSON Schemas of the API's requests and responses: fastify validates with them and @fastify/swagger builds the
// OpenAPI 3.1 document from the same objects, so the document cannot drift from what the API checks.
import { readFileSync } from 'node:fs';
import type { FastifySchema, RouteShorthandOptions } from 'fastify';
import type { Scope } from './auth.ts';

/**
 * Ids that end up in workflow ids, URL paths and visibility queries: no spaces, quotes or slashes, and not made of
 * dots and colons alone (`.` and `..` are dot-segments a URL path cannot address; `:` alone is no name).
 */
export const idPattern = '^(?![.:]+$)[A-Za-z0-9._:@+-]{1,200}$';
export const idSchema = {
  type: 'string',
  pattern: idPattern,
  maxLength: 200,
  description: 'Letters, digits and . _ : @ + - (1-200 characters), not only dots and colons.',
} as const;

const problem = {
  type: 'object',
  required: ['pointer', 'message'],
  properties: {
    in: {
      type: 'string',
      enum: ['path', 'query', 'header', 'body'],
      description: 'The part of the request the pointer is into (default: body).',
    },
    pointer: { type: 'string', description: 'JSON pointer (RFC 6901) to the offending value; "" for the part as a whole.' },
    message: { type: 'string' },
    expected: { type: 'string' },
    suggestion: { type: 'string' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message', 'errors', 'requestId'],
  properties: {
    error: { type: 'string', description: 'A stable code: invalid_request, unauthorized, forbidden, not_found, ...' },
    message: { type: 'string' },
    errors: { type: 'array', items: problem },
    requestId: { type: 'string' },
  },
} as const;

export const eventSchema = {
  type: 'object',
  required: ['id', 'type', 'customerId', 'occurredAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200, description: 'Idempotency key: the same id is taken once.' },
    type: { type: 'string', minLength: 1, maxLength: 100, description: 'An event type from the event catalog (GET /v1/definitions).' },
    customerId: idSchema,
    occurredAt: { type: 'string', format: 'date-time' },
    data: { type: 'object', additionalProperties: true, description: 'Checked against the catalog schema of the type.' },
    traits: {
      type: 'object',
      additionalProperties: true,
      description: 'Customer traits known at the time (definitions/catalog/traits.schema.json).',
    },
  },
} as const;

const journeyDelivery = {
  type: 'object',
  properties: {
    ...textFields('journeyId', 'workflowId', 'runId'),
    version: { type: 'integer' },
    roles: { type: 'array', items: { type: 'string' } },
    outcome: { type: 'string', enum: ['started', 'signalled', 'not-routed'] },
    reason: { type: 'string', description: 'With not-routed: why (a conversion or reversal reaches only an open run).' },
  },
} as const;

export const eventResultSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    id: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['accepted', 'rejected', 'failed'] },
    duplicate: { type: 'boolean', description: 'true when this id was taken before: the answer is the first one.' },
    reason: { type: 'string', enum: ['invalid', 'conflict'] },
    journeys: { type: 'array', items: journeyDelivery },
    customer: { type: 'object', properties: { workflowId: { type: 'string' }, runId: { type: 'string' }, outcome: { type: 'string' } } },
    errors: { type: 'array', items: problem },
    retryable: { type: 'boolean' },
    error: { type: 'string' },
  },
} as const;

export const batchSchema = {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: {
    events: {
      type: 'array',
      minItems: 1,
      description: 'Up to 500 events (more is 413). Each item is an Event (see POST /v1/events); each is checked and answered on its own.',
      items: { type: 'object', additionalProperties: true },
    },
  },
} as const;

export const batchResultSchema = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    failed: { type: 'integer' },
    results: { type: 'array', items: eventResultSchema },
  },
} as const;

export const operatorActionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actor: { type: 'string', maxLength: 200, description: 'Who did it (recorded in the run).' },
    reason: { type: 'string', maxLength: 1000 },
  },
} as const;

/** The traits schema file itself, minus the keywords an OpenAPI 3.1 body does not need. */
export function traitsSchema(): Record<string, unknown> {
  const {
    $schema: _s,
    title: _t,
    ...rest
  } = JSON.parse(readFileSync(new URL('../definitions/catalog/traits.schema.json', import.meta.url), 'utf8'));
  return rest;
}

/** An opaque object: state owned by the workflows, passed through as they report it. */
export const anyObject = { type: 'object', additionalProperties: true } as const;

/** `{ name: { type: 'string' } }` for each name: the plain text fields of a response object. */
export function textFields<N extends string>(...names: N[]): Record<N, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<N, { type: 'string' }>;
}

/** `{ name: { type: 'integer' } }` for each name. */
export function integerFields<N extends string>(...names: N[]): Record<N, { type: 'integer' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'integer' }])) as Record<N, { type: 'integer' }>;
}

/** A journey run's status, the same wherever a run is shown (a customer's journeys, one run). */
export const runStatusFields = {
  ...textFields('workflowId', 'runId', 'status', 'startTime', 'stateError'),
  closeTime: { type: ['string', 'null'] },
  state: { ...anyObject, type: ['object', 'null'] },
} as const;

export function errorResponses<C extends number>(...codes: C[]): Record<C, typeof errorSchema> {
  return Object.fromEntries(codes.map((c) => [c, errorSchema])) as Record<C, typeof errorSchema>;
}

const bearer = [{ bearerAuth: [] }];

/**
 * The options of a route that takes a bearer key with `scope` (the onRequest hook in server.ts checks it), filed
 * under one OpenAPI tag: the scope and the document's security requirement come from one place, so the document
 * cannot show a guarded route as open. `options`: other route options (e.g. bodyLimit).
 */
export function bearerRoute<S extends FastifySchema>(
  scope: Scope,
  tag: string,
  schema: S,
  options: Omit<RouteShorthandOptions, 'schema'> = {},
) {
  return { ...options, config: { scope }, schema: { tags: [tag], security: bearer, ...schema } };
}

/** GET /v1/reports/kpis: the KPI report (reports/engine/kpi-engine.ts KpiReport). */
export const kpiReportSchema = {
  type: 'object',
  required: ['by', 'filters', 'kpis', 'groups', 'sources'],
  properties: {
    by: { type: 'array', items: { type: 'string' }, description: 'The dimensions of each group, in order.' },
    filters: { type: 'object', additionalProperties: true, description: 'The filters applied (as given, dates normalized to ISO).' },
    kpis: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'unit', 'status'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          description: { type: 'string' },
          section: { type: 'string' },
          unit: { type: 'string', enum: ['ratio', 'count', 'days', 'currency', 'multiple', 'number'] },
          seed: { type: 'object', properties: { file: { type: 'string' }, metric: { type: 'string' } } },
          status: { type: 'string', enum: ['ok', 'waiting'], description: 'waiting: a record type it needs has not appeared yet.' },
          waitingFor: {
            type: 'array',
            items: {
              type: 'object',
              properties: { record: { type: 'string' }, writtenBy: { type: ['string', 'null'] }, waitsFor: { type: 'string' } },
            },
          },
        },
      },
    },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'values'],
        properties: {
          key: { type: 'object', additionalProperties: { type: ['string', 'number', 'null'] } },
          values: {
            type: 'object',
            additionalProperties: { type: ['number', 'null'] },
            description: 'KPI id → value; null: no data or waiting.',
          },
        },
      },
    },
    sources: {
      type: 'object',
      properties: {
        files: { type: 'array', items: { type: 'string' } },
        records: { type: 'integer' },
        store: {
          type: 'object',
          description: 'The KPI store this report read (absent when computed without it): what this call ingested from the logs.',
          properties: {
            files: { type: 'array', items: { type: 'string' } },
            seq: { type: 'integer', description: 'The ingest batch the store is at.' },
            bytes: { type: 'integer', description: 'Bytes of log read by this call.' },
            newRecords: { type: 'integer' },
            advocates: { type: 'integer', description: 'Advocates recomputed by this call.' },
            readFromBatch: {
              type: 'integer',
              description: 'The first ingest batch whose stored records this call read to recompute those advocates (seq when none older).',
            },
            rebuilt: { type: 'boolean' },
          },
        },
      },
    },
  },
} as const;
