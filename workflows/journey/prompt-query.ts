// The journeyPrompts query: the run's current in-product prompts, for GET /v1/customers/{id}/prompts. A query
// handler is new code only (no command): the API reads it while the run lives and never ends a run to read.
import { setHandler } from '@temporalio/workflow';
import { journeyPromptsQuery, type JourneyPrompt } from '../contract/index.ts';
import type { RunContext } from './context.ts';
import { currentPrompts } from './prompts.ts';

export function registerPromptQuery(ctx: RunContext): void {
  setHandler(journeyPromptsQuery, (): JourneyPrompt[] =>
    currentPrompts(ctx).map((p) => ({
      id: p.id,
      journeyId: ctx.plan.journeyId,
      motion: p.motion,
      text: p.text,
      actionLabel: p.actionLabel,
      ...(p.actionLink ? { actionLink: p.actionLink } : {}),
      postedAt: p.postedAt,
      expiresAt: p.expiresAt,
      ...(p.shownAt ? { shownAt: p.shownAt } : {}),
      ...(p.clickedAt ? { clickedAt: p.clickedAt } : {}),
    })),
  );
}
