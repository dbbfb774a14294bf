// The run's own record of every email it sent that the provider (Postmark, or the outbox) took: asks, thank-yous and
// referrer updates, with the message id the email activity answered. The activity's answer is already in the run's
// history, so keeping it here costs no Temporal call and no history event; customer:<id> no longer gets a recordSend
// signal per email (each was a workflow task of its own there: 4 history events per send, issue 16). The customer's
// contact history across journeys is GET /v1/customers/<id> → `sends` (api/customer-sends.ts).
import { templateName, type SendEmailRequest, type SendEmailResult } from '../contract/index.ts';
import { recordSend } from '../customer/sends.ts';
import { iso, type RunContext } from './context.ts';

/** Records an accepted send in the run's state (once per send key: a replayed or retried answer adds nothing). */
export function recordSentEmail(ctx: RunContext, req: SendEmailRequest, result: SendEmailResult): void {
  const { state } = ctx;
  state.sends = recordSend(
    state.sends ?? [],
    {
      sendKey: req.sendKey,
      journeyId: req.journeyId,
      step: req.step,
      ...(result.messageId ? { messageId: result.messageId } : {}),
      messageStream: result.messageStream ?? req.messageStream,
      template: result.template ?? templateName(req.template),
      transport: result.transport,
      sentAt: result.sentAt ?? iso(ctx.now()),
    },
    ctx.now(),
  ).sends;
}
