// Signals, queries and updates of the journey workflows, defined once: workflows, API, CLI and tests import them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** An event from a backend service, as accepted by `POST /v1/events`. */
export interface JourneyEvent {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

/** Workflow ids: one journey run per (journey, customer); one profile workflow per customer. */
export function journeyWorkflowId(journeyId: string, customerId: string): string {
  return `journey:${journeyId}:${customerId}`;
}
export function customerWorkflowId(customerId: string): string {
  return `customer:${customerId}`;
}

/** The workflow type names, for clients that start them by name. */
export const JOURNEY_WORKFLOW_TYPE = 'advocacyJourney';
export const CUSTOMER_WORKFLOW_TYPE = 'customerProfile';

export const journeyEventSignal = defineSignal<[JourneyEvent]>('journeyEvent');
export const journeyStateQuery = defineQuery<unknown>('journeyState');

/** Operator actions; each returns the run's state after the action. */
export interface OperatorAction {
  /** Who did it and why, recorded in the run's state. */
  actor?: string;
  reason?: string;
}
export const pauseUpdate = defineUpdate<unknown, [OperatorAction]>('pause');
export const resumeUpdate = defineUpdate<unknown, [OperatorAction]>('resume');
export const optOutUpdate = defineUpdate<unknown, [OperatorAction]>('optOut');
export const skipWaitUpdate = defineUpdate<unknown, [OperatorAction]>('skipWait');
export const cancelRunUpdate = defineUpdate<unknown, [OperatorAction]>('cancelRun');
