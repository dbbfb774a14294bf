// Foundation scaffolding: take an event, wait the definition's delay, write one email to the outbox.
// The journey interpreter replaces this workflow.
import { condition, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import { journeyEventSignal, journeyStateQuery, type JourneyEvent } from './messages.ts';

const { writeOutboxEmail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
});

export interface ScaffoldInput {
  journeyId: string;
  customerId: string;
  firstAskDelay: string;
  subject: string;
}

export async function scaffoldJourney(input: ScaffoldInput): Promise<{ sentKey: string }> {
  const events: JourneyEvent[] = [];
  let stage = 'listen';
  setHandler(journeyEventSignal, (event) => {
    if (!events.some((e) => e.id === event.id)) events.push(event);
  });
  setHandler(journeyStateQuery, () => ({ stage, events: events.length }));
  await condition(() => events.length > 0);
  stage = 'waiting';
  await sleep(input.firstAskDelay as Parameters<typeof sleep>[0]);
  const sentKey = `${workflowInfo().workflowId}:invite:1`;
  await writeOutboxEmail({
    idempotencyKey: sentKey,
    to: String(events[0].traits?.email ?? `${input.customerId}@example.invalid`),
    subject: input.subject,
    textBody: `Hello ${input.customerId}, thanks for being a customer.`,
    tag: input.journeyId,
    metadata: { journeyId: input.journeyId, customerId: input.customerId, step: 'invite:1' },
  });
  stage = 'done';
  return { sentKey };
}
