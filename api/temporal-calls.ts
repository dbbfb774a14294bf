// Calls to running workflows on behalf of an operator: with a deadline (a run whose worker is down must not hang
// the request), counted in metrics when they fail, and mapped to HTTP answers.
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  QueryRejectedError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  ServiceError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyReply } from 'fastify';
import type { ApiContext } from './context.ts';
import { sendError, type Problem } from './errors.ts';

export function withDeadline<T>(ctx: ApiContext, fn: () => Promise<T>): Promise<T> {
  return ctx.client.connection.withDeadline(Date.now() + ctx.temporalCallTimeoutMs, fn);
}

/** gRPC codes an Update gets when the run it reached is between two workflow tasks it cannot take it in: ABORTED,
 *  UNAVAILABLE, and FAILED_PRECONDITION "unable to perform workflow execution update due to unexpected workflow task
 *  failure" (the server refused the run's completion because a signal or update came in, as a hand-over continues as
 *  new; the SDK redoes the task at once). */
const RUN_IN_TRANSITION = new Set([9, 10, 14]);

/** The gRPC status under a client error, for the log and for the retry below. */
function grpcCause(err: unknown): { code?: number; details?: string } {
  const cause = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(cause) ? { code: cause.code, details: cause.details } : {};
}

/**
 * An Update to a run, sent again (after 0.5, 1, 2 and 4 s) while the run is between two workflow tasks that cannot
 * take it: a hand-over racing a hand-over, an update meeting a continue-as-new. The fuzzer saw those answered 503
 * "Workflow Update failed" although the run answered a moment later.
 */
export async function updateRun<T>(ctx: ApiContext, send: () => Promise<T>): Promise<T> {
  for (let wait = 500; ; wait *= 2) {
    try {
      return await withDeadline(ctx, send);
    } catch (err) {
      const { code } = grpcCause(err);
      if (!(err instanceof ServiceError) || code === undefined || !RUN_IN_TRANSITION.has(code) || wait > 4000) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Our deadline ran out: a plain call reports DEADLINE_EXCEEDED, an Update's polling loop reports CANCELLED. */
function isDeadline(err: unknown): boolean {
  return isGrpcDeadlineError(err) || isGrpcCancelledError(err);
}

/**
 * Sends the HTTP answer for a failed call to a run: 404 no run, 409 the run refused, 504 no answer in time, 503 else.
 * `subject`: the path parameter naming the run (its pointer goes in the problem).
 */
export function replyTemporalFailure(ctx: ApiContext, reply: FastifyReply, operation: string, err: unknown, what: string, subject: string) {
  const problem = (message: string): Problem[] => [{ in: 'path', pointer: `/${subject}`, message }];
  if (err instanceof WorkflowNotFoundError) return sendError(reply, 404, 'not_found', `${what} is not running`, problem('no such run'));
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause instanceof ApplicationFailure ? err.cause.message : ((err.cause as Error | undefined)?.message ?? err.message);
    return sendError(reply, 409, 'refused', `${what} refused: ${cause}`, problem(cause));
  }
  ctx.metrics.temporalErrors.inc({ operation });
  if (err instanceof QueryRejectedError)
    return sendError(reply, 409, 'refused', `${what} refused the query: ${err.message}`, problem(err.message));
  if (isDeadline(err)) {
    const message = `${what} did not answer within ${ctx.temporalCallTimeoutMs} ms (is a worker polling its task queue?)`;
    return sendError(reply, 504, 'timeout', message, problem('no answer in time'));
  }
  reply.request.log.warn({ err, grpc: grpcCause(err) }, `${operation} failed`);
  const message = `Temporal call failed: ${(err as Error).message}`;
  return sendError(reply, 503, 'temporal_unavailable', message, problem('Temporal did not answer'));
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
