// Every message a journey can send, rendered for each sample customer exactly as the email activity would build it
// (the same message data as the interpreter: definitions/messages/message-data.ts; the same Postmark body:
// activities/email/message.ts), with every {{…}} that came out blank noted.
import { buildPostmarkRequest, DEFAULT_FROM } from '../../activities/email/message.ts';
import type { Catalog, JsonSchemaNode } from '../../definitions/compiler/catalog.ts';
import { isLocal, templateSites, type TemplateSite } from '../../definitions/compiler/template-sites.ts';
import type { MotionPlan } from '../../definitions/generated/journey.ts';
import { messageData, type MessageInput, type ReferralUpdateStage } from '../../definitions/messages/message-data.ts';
import { escapeHtml, looksLikeHtml, renderWithBlanks, type Blank } from '../../definitions/messages/render.ts';
import type { CompiledPlan } from '../../definitions/plan.ts';

export interface SampleCustomer {
  id: string;
  description?: string;
  traits: Record<string, unknown>;
}

export interface Preview {
  journeyId: string;
  motion: string;
  step: TemplateSite['step'];
  /** What this preview shows: "ask", "ask (variant enterprise)", "thank-you (reaching tier silver)". */
  label: string;
  pointer: string;
  template: string;
  customer: SampleCustomer;
  from: string;
  /** The recipient, or undefined when the engine would not send (see notSent). */
  to?: string;
  notSent?: string;
  /** A Postmark template renders in Postmark: only its model is known here. */
  postmarkAlias?: string;
  subject?: string;
  text?: string;
  html?: string;
  /** The subject and the HTML body with each blank marked, for the preview page. */
  markedSubject?: string;
  markedHtml?: string;
  blanks: (Blank & { in: 'subject' | 'body' })[];
}

export function buildPreviews(
  plan: CompiledPlan,
  customers: SampleCustomer[],
  sampleEvents: Record<string, Record<string, unknown>>,
  catalog: Catalog,
): Preview[] {
  const def = plan.definition;
  const delight = def.listen.signals[0].event;
  const event = sampleEvents[delight] ?? sampleEventData(catalog.events[delight]?.data);
  const previews: Preview[] = [];
  for (const site of templateSites(def)) {
    const motionPlan = (def.motions as Record<string, MotionPlan>)[site.motion];
    for (const thankYou of thankYouCases(site, motionPlan)) {
      for (const customer of customers) {
        const input: MessageInput = {
          step: site.step,
          journeyName: plan.name,
          journeyId: plan.journeyId,
          customerId: customer.id,
          traits: customer.traits,
          traitDefaults: def.traitDefaults,
          templateModel: site.template.model,
          motion: site.motion,
          motionPlan,
          event,
          referralCode: `rc_preview_${customer.id}`,
          attempt: site.step === 'reminder' ? 2 : 1,
          reason: `qualified for ${site.motion} (preview)`,
          thankYou: thankYou?.data,
          // A referrer update shows the stage it is declared for (/track/referrerUpdates/<stage>/template).
          ...(site.step === 'referrer-update'
            ? {
                referrerUpdate: {
                  referralId: 'ref_preview',
                  stage: site.pointer.split('/')[3] as ReferralUpdateStage,
                  referredName: 'Sam',
                },
              }
            : {}),
        };
        previews.push(render(plan, site, customer, messageData(input), thankYou?.label));
      }
    }
  }
  return previews;
}

function render(
  plan: CompiledPlan,
  site: TemplateSite,
  customer: SampleCustomer,
  model: Record<string, unknown>,
  suffix?: string,
): Preview {
  const label = [site.step, site.variant && `variant ${site.variant}`, suffix].filter(Boolean).join(', ');
  const templateName = isLocal(site.template) ? site.template.file : site.template.alias;
  const base = {
    journeyId: plan.journeyId,
    motion: site.motion,
    step: site.step,
    label,
    pointer: site.pointer,
    template: templateName,
    customer,
    from: DEFAULT_FROM,
    blanks: [],
  };
  const address = site.step === 'owner-task' ? customer.traits.ownerEmail : customer.traits.email;
  if (typeof address !== 'string' || !address.includes('@'))
    return { ...base, notSent: `not sent: the customer has no ${site.step === 'owner-task' ? 'traits.ownerEmail' : 'traits.email'}` };
  const request = buildPostmarkRequest(
    {
      sendKey: `preview:${plan.journeyId}:${site.pointer}:${customer.id}`,
      customerId: customer.id,
      journeyId: plan.journeyId,
      journeyVersion: plan.version,
      step: site.step,
      to: address,
      template: site.template,
      localTemplateBody: isLocal(site.template) ? plan.templates[site.template.file] : undefined,
      model,
      messageStream: site.step === 'ask' || site.step === 'reminder' ? 'broadcast' : 'outbound',
    },
    DEFAULT_FROM,
  );
  if (request.endpoint === '/email/withTemplate') return { ...base, to: address, postmarkAlias: request.body.TemplateAlias };
  const body = plan.templates[templateName];
  const html = looksLikeHtml(templateName, body);

  const subjectTemplate = isLocal(site.template) ? site.template.subject : '';
  const content = renderWithBlanks(body, model, { html });
  const subject = renderWithBlanks(subjectTemplate, model, { html: false });
  const mark = (b: Blank) => `<mark class="blank" title="{{${escapeHtml(b.name)}}} is ${b.why}">{{${escapeHtml(b.name)}}}</mark>`;
  const marked = renderWithBlanks(html ? body : escapeHtml(body), model, { html: true, mark });
  return {
    ...base,
    to: address,
    subject: request.body.Subject,
    text: request.body.TextBody ?? htmlToText(request.body.HtmlBody ?? ''),
    html: request.body.HtmlBody,
    markedSubject: renderWithBlanks(escapeHtml(subjectTemplate), model, { html: true, mark }).text,
    markedHtml: html ? marked.text : `<pre>${marked.text}</pre>`,
    blanks: [
      ...subject.blanks.map((b) => ({ ...b, in: 'subject' as const })),
      ...content.blanks.map((b) => ({ ...b, in: 'body' as const })),
    ],
  };
}

/** A thank-you shows the advocate's reward; a tiered reward also gets the thank-you that reaches the first tier. */
function thankYouCases(site: TemplateSite, plan: MotionPlan): ({ label?: string; data: MessageInput['thankYou'] } | undefined)[] {
  if (site.step !== 'thank-you' || !plan.reward) return [undefined];
  const referrer = { role: 'referrer', item: plan.reward.referrer };
  const cases: { label?: string; data: MessageInput['thankYou'] }[] = [{ data: { referralId: 'ref_preview', rewards: [referrer] } }];
  const tier = plan.reward.type === 'tiered' ? plan.reward.tiers?.[0] : undefined;
  if (tier)
    cases.push({
      label: `reaching tier ${tier.tier}`,
      data: { referralId: 'ref_preview_tier', rewards: [referrer, { role: 'tier-bonus', item: tier.bonus }], tier: tier.tier },
    });
  return cases;
}

/** A delight event's data made from the catalog: each required field's first enum value, minimum or example. */
export function sampleEventData(schema: JsonSchemaNode | undefined): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) {
    const field = schema?.properties?.[name];
    if (!field) continue;
    const examples = field.examples as unknown[] | undefined;
    data[name] =
      field.enum?.[0] ??
      examples?.[0] ??
      (field.type === 'integer' || field.type === 'number'
        ? ((field.maximum ?? field.minimum ?? 1) as number)
        : field.type === 'boolean'
          ? true
          : `sample-${name}`);
  }
  return data;
}

function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|li|ul|div|h\d)>/gi, '\n')
    .replace(/<li>/gi, '- ')
    .replace(/<a [^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/gi, '$2 ($1)')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
