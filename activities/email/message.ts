// Builds the exact JSON body Postmark receives for one SendEmailRequest: `/email` for a local Mustache
// template (rendered here), `/email/withTemplate` for a Postmark template (rendered by Postmark). Both
// transports send this same body, so the outbox shows precisely what production would have sent.
import type { SendEmailRequest } from '../../workflows/contract/index.ts';
import Mustache from 'mustache';
import { createHash } from 'node:crypto';

export interface PostmarkHeader {
  Name: string;
  Value: string;
}

interface CommonFields {
  From: string;
  To: string;
  MessageStream: 'broadcast' | 'outbound';
  Tag: string;
  Metadata: Record<string, string>;
  Headers?: PostmarkHeader[];
}

/** The body of POST /email. */
export interface PostmarkEmailBody extends CommonFields {
  Subject: string;
  HtmlBody?: string;
  TextBody?: string;
}

/** The body of POST /email/withTemplate. */
export interface PostmarkTemplateBody extends CommonFields {
  TemplateAlias: string;
  TemplateModel: Record<string, unknown>;
}

export type PostmarkEndpoint = '/email' | '/email/withTemplate';

export type PostmarkRequest =
  { endpoint: '/email'; body: PostmarkEmailBody } | { endpoint: '/email/withTemplate'; body: PostmarkTemplateBody };

export const DEFAULT_FROM = 'journeys@example.com';

// Postmark limits metadata values to 80 characters; a longer value (a long send key) is replaced by a
// stable digest, so the outbound-message search by metadata still finds it.
const METADATA_VALUE_LIMIT = 80;
export function metadataValue(value: string): string {
  if (value.length <= METADATA_VALUE_LIMIT) return value;
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** The metadata every send carries; the webhook reads `customer` back from it. */
export function sendMetadata(req: SendEmailRequest): Record<string, string> {
  return {
    journey: metadataValue(req.journeyId),
    version: String(req.journeyVersion),
    customer: metadataValue(req.customerId),
    step: metadataValue(req.step),
    sendKey: metadataValue(req.sendKey),
  };
}

function unsubscribeHeaders(req: SendEmailRequest): PostmarkHeader[] | undefined {
  if (!req.unsubscribeUrl) return undefined;
  // RFC 8058 one-click unsubscribe: mailbox providers show an "unsubscribe" button for asks (an https URI to POST to,
  // and a mailto for clients that only mail).
  const uris = [req.unsubscribeUrl, ...(req.unsubscribeMailto ? [req.unsubscribeMailto] : [])].map((u) => `<${u}>`);
  return [
    { Name: 'List-Unsubscribe', Value: uris.join(', ') },
    { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
  ];
}

// Text bodies and subjects must not be HTML-escaped (an `&` in a referral link would become `&amp;`).
const noEscape = { escape: (value: unknown) => String(value) };
// HTML bodies escape only what HTML needs (as Postmark's own renderer does); mustache.js's default also
// rewrites `/` and `=`, which mangles every link into `https:&#x2F;&#x2F;…`.
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const htmlEscape = { escape: (value: unknown) => String(value).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]) };

function looksLikeHtml(file: string, body: string): boolean {
  return /\.html?\.mustache$/i.test(file) || body.trimStart().startsWith('<');
}

/** The plain-text part of an HTML body: tags dropped, a link kept as "text: url" so it works in a text-only client. */
export function plainTextOf(html: string): string {
  const decode = (t: string) =>
    t
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&middot;/g, '·')
      .replace(/&amp;/g, '&');
  return decode(
    html
      .replace(
        /<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi,
        (_m, href: string, text: string) => `${text.replace(/<[^>]*>/g, '')}: ${href}`,
      )
      .replace(/<li[^>]*>/gi, '- ')
      .replace(/<(br|\/p|\/div|\/li|\/ul|\/h\d)\s*\/?>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export class TemplateBodyMissingError extends Error {}

export function buildPostmarkRequest(req: SendEmailRequest, from: string = DEFAULT_FROM): PostmarkRequest {
  const common: CommonFields = {
    From: from,
    To: req.to,
    MessageStream: req.messageStream,
    Tag: req.journeyId,
    Metadata: sendMetadata(req),
  };
  const headers = unsubscribeHeaders(req);
  if (headers) common.Headers = headers;
  const template = req.template;
  const model = { ...(template.model ?? {}), ...req.model };

  if ('alias' in template) {
    return { endpoint: '/email/withTemplate', body: { ...common, TemplateAlias: template.alias, TemplateModel: model } };
  }
  if (req.localTemplateBody === undefined) {
    throw new TemplateBodyMissingError(`local template ${template.file} has no body pinned in the plan (localTemplateBody)`);
  }
  const subject = Mustache.render(template.subject, model, undefined, noEscape).trim();
  const html = looksLikeHtml(template.file, req.localTemplateBody);
  const rendered = Mustache.render(req.localTemplateBody, model, undefined, html ? htmlEscape : noEscape);
  const body: PostmarkEmailBody = {
    From: common.From,
    To: common.To,
    Subject: subject,
    ...(html ? { HtmlBody: rendered, ...(req.plainTextPart ? { TextBody: plainTextOf(rendered) } : {}) } : { TextBody: rendered }),
    MessageStream: common.MessageStream,
    Tag: common.Tag,
    Metadata: common.Metadata,
  };
  if (common.Headers) body.Headers = common.Headers;
  return { endpoint: '/email', body };
}
