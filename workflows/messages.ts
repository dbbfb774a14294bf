// Signals, queries and updates of the journey workflow, defined once: the workflow and the API both import them.
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** An event from a backend service, as accepted by `POST /v1/events`. */
export interface JourneyEvent {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

export const journeyEventSignal = defineSignal<[JourneyEvent]>('journeyEvent');
export const journeyStateQuery = defineQuery<unknown>('journeyState');
