// The hosted referral page (/r/<code>): who invited the friend, the offer from the journey's reward plan, and the
// form sales needs (name, email, company, role, context, consent). Every value escaped; no script: the form posts
// and the server answers with the next page. A honeypot field (hidden from people and assistive technology) catches
// form-filling bots.
import type { PagesConfig } from '../../definitions/pages.ts';
import { escapeHtml, fillCopy, fillText, renderPage } from './layout.ts';
import { CSRF_FIELD } from './csrf.ts';

export const HONEYPOT_FIELD = 'website';

export interface ReferralForm {
  name: string;
  email: string;
  company: string;
  role: string;
  context: string;
  consent: boolean;
}

export const EMPTY_FORM: ReferralForm = { name: '', email: '', company: '', role: '', context: '', consent: false };

/** A field's problem, named by the form field. */
export type FieldProblems = Partial<Record<keyof ReferralForm, string>>;

export interface ReferralPageView {
  code: string;
  advocate: string;
  offer: string;
  invitedOn?: string;
  csrf: string;
  form: ReferralForm;
  problems: FieldProblems;
}

function field(
  name: keyof ReferralForm,
  label: string,
  view: ReferralPageView,
  opts: { type?: string; required?: boolean; autocomplete?: string; max: number },
): string {
  const problem = view.problems[name];
  const describedBy = problem ? ` aria-invalid="true" aria-describedby="${name}-error"` : '';
  const required = opts.required ? ' required aria-required="true"' : '';
  const value = escapeHtml(String(view.form[name] ?? ''));
  const control =
    opts.type === 'textarea'
      ? `<textarea id="${name}" name="${name}" maxlength="${opts.max}"${describedBy}${required}>${value}</textarea>`
      : `<input id="${name}" name="${name}" type="${opts.type ?? 'text'}" maxlength="${opts.max}" value="${value}"${opts.autocomplete ? ` autocomplete="${opts.autocomplete}"` : ''}${describedBy}${required}>`;
  const error = problem ? `<p id="${name}-error" class="error"><strong>Error:</strong> ${escapeHtml(problem)}</p>` : '';
  return `<label for="${name}">${escapeHtml(label)}${opts.required ? ' <span aria-hidden="true">*</span>' : ''}</label>${error}${control}`;
}

export function referralPage(config: PagesConfig, view: ReferralPageView): string {
  const copy = config.referralPage;
  const values = { advocate: view.advocate, offer: view.offer, brand: config.brand.name };
  const problems = Object.values(view.problems);
  const summary = problems.length
    ? `<div class="error" role="alert" id="problems"><p><strong>Please fix ${problems.length === 1 ? 'this' : 'these'}:</strong></p><ul>${problems.map((p) => `<li>${escapeHtml(p!)}</li>`).join('')}</ul></div>`
    : '';
  const privacy = copy.privacyUrl ? ` <a href="${escapeHtml(copy.privacyUrl)}">Privacy policy</a>` : '';
  const consentProblem = view.problems.consent
    ? `<p id="consent-error" class="error"><strong>Error:</strong> ${escapeHtml(view.problems.consent)}</p>`
    : '';
  const main = `<p id="intro">${fillCopy(copy.intro, values)}</p>
${view.invitedOn ? `<p class="muted" id="invited-on">Invited ${escapeHtml(view.invitedOn)}</p>` : ''}
${summary}
<form method="post" action="/r/${escapeHtml(encodeURIComponent(view.code))}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(view.csrf)}">
${field('name', 'Your name', view, { required: true, autocomplete: 'name', max: 200 })}
${field('email', 'Work email', view, { type: 'email', required: true, autocomplete: 'email', max: 320 })}
${field('company', 'Company', view, { autocomplete: 'organization', max: 200 })}
${field('role', 'Role', view, { autocomplete: 'organization-title', max: 200 })}
${field('context', copy.contextLabel ?? 'What should our team know?', view, { type: 'textarea', max: 2000 })}
<div class="hp" aria-hidden="true"><label for="${HONEYPOT_FIELD}">Leave this empty</label><input id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" type="text" tabindex="-1" autocomplete="off"></div>
${consentProblem}<div class="check"><input id="consent" name="consent" type="checkbox" value="yes"${view.form.consent ? ' checked' : ''} required aria-required="true"${view.problems.consent ? ' aria-invalid="true" aria-describedby="consent-error"' : ''}><label for="consent">${escapeHtml(copy.consentText)}${privacy}</label></div>
<button id="submit" type="submit">Send</button>
</form>`;
  return renderPage(config, { title: fillText(copy.headline, values), main });
}

export function referralThanksPage(config: PagesConfig, advocate: string): string {
  const values = { advocate, brand: config.brand.name, offer: '' };
  return renderPage(config, {
    title: 'Thank you',
    main: `<p id="status" role="status">${fillCopy(config.referralPage.thankYou, values)}</p>`,
  });
}

export function referralInvalidPage(config: PagesConfig): string {
  return renderPage(config, {
    title: 'This link is not active',
    main: `<p id="status">${fillCopy(config.referralPage.invalidCode, { brand: config.brand.name })}</p>`,
  });
}

/** A refusal (rate limit, CSRF, Temporal unavailable) as a page: what happened and what to do. */
export function referralProblemPage(config: PagesConfig, title: string, message: string): string {
  return renderPage(config, { title, main: `<p id="status" role="alert">${escapeHtml(message)}</p>` });
}

/** The posted form, trimmed and checked; problems name the field. */
export function readForm(body: Record<string, string>): { form: ReferralForm; problems: FieldProblems } {
  const text = (k: string, max: number) => (body[k] ?? '').trim().slice(0, max);
  const form: ReferralForm = {
    name: text('name', 200),
    email: text('email', 320),
    company: text('company', 200),
    role: text('role', 200),
    context: text('context', 2000),
    consent: body.consent === 'yes' || body.consent === 'on',
  };
  const problems: FieldProblems = {};
  if (!form.name) problems.name = 'name: enter your name';
  if (!form.email) problems.email = 'email: enter your work email';
  else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.email)) problems.email = 'email: enter an address like name@company.com';
  if (!form.consent) problems.consent = 'consent: tick the box to agree to be contacted';
  return { form, problems };
}
