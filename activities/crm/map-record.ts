// An owner task or a referral record as a CRM's properties, through the mapping in definitions/crm.json (pure).
// The task's subject and body are the owner email's, rendered as the owner would have read it; a Postmark template
// (rendered by Postmark, not here) gets a plain summary instead.
import type { CRMMapping, CrmValue } from '../../definitions/crm-mapping.ts';
import type { OwnerTaskRequest, ReferralRecordRequest } from '../../workflows/contract/index.ts';
import { buildPostmarkRequest } from '../email/message.ts';
import type { OwnerTaskLinks } from './owner-task-link.ts';

type Fields = Record<string, string | number | undefined>;

/** Subject and plain-text body of the task, from its email. */
export function taskText(req: OwnerTaskRequest): { subject: string; body: string } {
  const summary = () => {
    const who = req.account.company ?? req.customerId;
    return {
      subject: `1:1 ask: ${req.motion} with ${who}`,
      body: [
        `Please ask ${who} for a ${req.motion} (${req.journeyName}).`,
        req.reason ? `Why this account: ${req.reason}.` : '',
        `Answer by ${req.dueAt}: mark the task done, or decline it.`,
      ]
        .filter(Boolean)
        .join('\n'),
    };
  };
  const built = buildPostmarkRequest(req.email);
  if (built.endpoint !== '/email') return summary();
  const text = built.body.TextBody ?? htmlToText(built.body.HtmlBody ?? '');
  return { subject: built.body.Subject, body: text.trim() || summary().body };
}

function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n');
}

/** The task's fields; `links`: its signed page, Done and Decline links (task.url, task.doneUrl, task.declineUrl). */
export function ownerTaskFields(req: OwnerTaskRequest, links?: OwnerTaskLinks): Fields {
  const { subject, body } = taskText(req);
  return {
    'task.id': req.taskId,
    'task.subject': subject,
    'task.body': body,
    'task.dueAt': req.dueAt,
    'task.motion': req.motion,
    'task.reason': req.reason,
    'task.journeyId': req.journeyId,
    'task.journeyName': req.journeyName,
    'task.url': links?.url,
    'task.doneUrl': links?.doneUrl,
    'task.declineUrl': links?.declineUrl,
    'owner.email': req.owner.email,
    'owner.name': req.owner.name,
    'owner.timezone': req.owner.timezone,
    'account.customerId': req.customerId,
    'account.company': req.account.company,
    'account.segment': req.account.segment,
    'account.arr': req.account.arr,
  };
}

export function referralFields(req: ReferralRecordRequest): Fields {
  return {
    'referral.id': req.referralId,
    'referral.stage': req.stage,
    'referral.at': req.at,
    'referral.amount': req.amount,
    'referral.currency': req.currency,
    'source.kind': req.source.kind,
    'source.journeyId': req.source.journeyId,
    'source.journeyName': req.source.journeyName,
    'source.referralCode': req.source.referralCode,
    'advocate.customerId': req.advocate.customerId,
    'advocate.email': req.advocate.email,
    'advocate.name': req.advocate.name,
    'advocate.company': req.advocate.company,
    'referred.email': req.referred?.email,
    'referred.name': req.referred?.name,
    'referred.company': req.referred?.company,
    'referred.role': req.referred?.role,
    'referred.customerId': req.referred?.customerId,
    'referred.context': req.referred?.context,
  };
}

function format(value: string | number, how: 'iso' | 'date' | 'epoch-ms' | undefined): string | number {
  if (!how || how === 'iso') return value;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return value;
  return how === 'date' ? new Date(ms).toISOString().slice(0, 10) : ms;
}

function valueOf(spec: CrmValue, fields: Fields): string | number | boolean | undefined {
  if (typeof spec === 'string') return fields[spec];
  if ('const' in spec) return spec.const;
  const raw = fields[spec.from];
  if (raw === undefined) return spec.default;
  if (spec.map) return spec.map[String(raw)] ?? spec.default;
  return format(raw, spec.format);
}

/**
 * The CRM properties of one record: each mapped property with a value (a field the record lacks, such as the
 * referred friend's company on a later stage, is left out, so an upsert never blanks what the CRM already has).
 */
export function mapProperties(mapping: CRMMapping['ownerTask'] | CRMMapping['referral'], fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(mapping.properties)) {
    const value = valueOf(spec, fields);
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}
