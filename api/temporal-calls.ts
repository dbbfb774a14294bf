// Calls to running workflows on behalf of an operator: with a deadline (a run whose worker is down must not hang
// the request), counted in metrics when they fail, and mapped to HTTP answers.
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  QueryRejectedError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyReply } from 'fastify';
import type { ApiContext } from './context.ts';

export function withDeadline<T>(ctx: ApiContext, fn: () => Promise<T>): Promise<T> {
  return ctx.client.connection.withDeadline(Date.now() + ctx.temporalCallTimeoutMs, fn);
}

/** Our deadline ran out: a plain call reports DEADLINE_EXCEEDED, an Update's polling loop reports CANCELLED. */
function isDeadline(err: unknown): boolean {
  return isGrpcDeadlineError(err) || isGrpcCancelledError(err);
}

/** Sends the HTTP answer for a failed call to a run: 404 no run, 409 the run refused, 504 no answer in time, 503 else. */
export function replyTemporalFailure(ctx: ApiContext, reply: FastifyReply, operation: string, err: unknown, what: string) {
  if (err instanceof WorkflowNotFoundError)
    return reply.code(404).send({ error: 'not_found', message: `${what} is not running`, requestId: reply.request.id });
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause instanceof ApplicationFailure ? err.cause.message : ((err.cause as Error | undefined)?.message ?? err.message);
    return reply.code(409).send({ error: 'refused', message: `${what} refused: ${cause}`, requestId: reply.request.id });
  }
  ctx.metrics.temporalErrors.inc({ operation });
  if (err instanceof QueryRejectedError)
    return reply.code(409).send({ error: 'refused', message: `${what} refused the query: ${err.message}`, requestId: reply.request.id });
  if (isDeadline(err)) {
    return reply.code(504).send({
      error: 'timeout',
      message: `${what} did not answer within ${ctx.temporalCallTimeoutMs} ms (is a worker polling its task queue?)`,
      requestId: reply.request.id,
    });
  }
  reply.request.log.warn({ err }, `${operation} failed`);
  return reply
    .code(503)
    .send({ error: 'temporal_unavailable', message: `Temporal call failed: ${(err as Error).message}`, requestId: reply.request.id });
}

/** A run's query answer, or why there is none (not yet started by a worker, worker down, no such query). */
export async function queryOrReason<T>(ctx: ApiContext, fn: () => Promise<T>): Promise<{ state: T | null; stateError?: string }> {
  try {
    return { state: await withDeadline(ctx, fn) };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) ctx.metrics.temporalErrors.inc({ operation: 'query' });
    return { state: null, stateError: (err as Error).message };
  }
}

export function visibilityQuote(value: string): string {
  // Ids are restricted by idPattern (no quotes), this is a second guard.
  return `"${value.replace(/["\\]/g, '')}"`;
}

export type { Client };
