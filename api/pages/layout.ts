// The one layout of every page people outside the company see (referral page, advocate status page, unsubscribe
// page): the brand's logo, colours and locale from definitions/pages.json, self-contained (no script, no framework,
// the stylesheet inline), built for WCAG AA: a lang attribute, a skip link, labelled controls, a visible focus ring,
// colour pairs the config loader checked for 4.5:1 contrast, and text that reflows at 320 px.
import type { PagesConfig } from '../../definitions/pages.ts';

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Copy from the config with {{name}} placeholders filled (values escaped; the copy itself is escaped too). */
export function fillCopy(copy: string, values: Record<string, string>): string {
  return escapeHtml(copy).replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in values ? escapeHtml(values[name]) : whole));
}

/** Copy with {{name}} placeholders filled, unescaped: for the page title, which renderPage escapes. */
export function fillText(copy: string, values: Record<string, string>): string {
  return copy.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in values ? values[name] : whole));
}

/** The default look when no pages config is given (tests that build the API bare, the unsubscribe page). */
export const DEFAULT_PAGES: PagesConfig = {
  brand: { name: 'journey-engine', colors: { primary: '#1d4ed8', primaryText: '#ffffff', background: '#ffffff', text: '#1f2937' } },
  locale: 'en-US',
  referralPage: {
    headline: '{{advocate}} invited you',
    intro: '{{advocate}} invited you to try {{brand}}. You get {{offer}} when you become a customer.',
    consentText: 'I agree to be contacted about this referral.',
    thankYou: 'Thank you! We will be in touch soon.',
    invalidCode: 'This referral link is not valid any more. Ask the person who sent it for a new one.',
  },
  statusPage: { headline: '{{advocate}}, your referrals and rewards' },
};

function stylesheet(config: PagesConfig): string {
  const c = config.brand.colors;
  const muted = c.muted ?? c.text;
  return `:root{--p:${c.primary};--pt:${c.primaryText};--bg:${c.background};--tx:${c.text};--mu:${muted}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--tx);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:1}
header{border-bottom:1px solid var(--mu);padding:1rem}header img{height:2rem;display:block}
.brand{font-weight:700;font-size:1.25rem}main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}
a{color:var(--p);text-decoration:underline}.muted{color:var(--mu)}
label{display:block;font-weight:600;margin:1rem 0 .25rem}input,textarea,select{width:100%;font:inherit;color:var(--tx);background:var(--bg);border:1px solid var(--mu);border-radius:.375rem;padding:.5rem .625rem}
textarea{min-height:6rem}.check{display:flex;gap:.5rem;align-items:flex-start;margin-top:1rem}.check input{width:auto;margin-top:.3rem}.check label{margin:0;font-weight:400}
button{font:inherit;font-weight:600;color:var(--pt);background:var(--p);border:0;border-radius:.375rem;padding:.625rem 1.25rem;margin-top:1.25rem;cursor:pointer}
button[disabled]{opacity:.75;cursor:progress}
:focus-visible{outline:3px solid var(--p);outline-offset:2px}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.error{border-left:4px solid #b91c1c;padding:.5rem .75rem;margin:1rem 0}.error p{margin:0}
.note{border-left:4px solid var(--p);padding:.5rem .75rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--mu);vertical-align:top}
progress{width:100%;height:1rem;accent-color:var(--p)}ul.rules{padding-left:1.25rem}
footer{max-width:40rem;margin:0 auto;padding:1rem;border-top:1px solid var(--mu);font-size:.875rem}`;
}

export interface PageContent {
  title: string;
  /** The page's main content, already escaped HTML. */
  main: string;
}

export function renderPage(config: PagesConfig, content: PageContent): string {
  const brand = config.brand;
  const logo = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.logoAlt ?? brand.name)}">`
    : `<span class="brand">${escapeHtml(brand.name)}</span>`;
  const support = brand.supportEmail
    ? `<footer><p class="muted">Questions? Write to <a href="mailto:${escapeHtml(brand.supportEmail)}">${escapeHtml(brand.supportEmail)}</a>.</p></footer>`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(config.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${escapeHtml(content.title)} · ${escapeHtml(brand.name)}</title>
<style>${stylesheet(config)}</style>
</head><body><a class="skip" href="#main">Skip to content</a><header>${logo}</header>
<main id="main"><h1>${escapeHtml(content.title)}</h1>${content.main}</main>${support}</body></html>
`;
}

/** Headers every page answer carries: no framing, no script at all, nothing cached by shared caches. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
} as const;

/** A page's answer to anything unexpected inside a page route: a calm page, the details only in the log. */
export function pageErrorHandler(config: PagesConfig, invalid: () => string) {
  return (
    err: Error & { validation?: unknown; statusCode?: number },
    req: { log: { error(o: object, m: string): void } },
    reply: PageReply,
  ) => {
    if (err.validation) return reply.code(404).headers(PAGE_HEADERS).send(invalid());
    req.log.error({ err }, 'page request failed');
    return reply
      .code(500)
      .headers(PAGE_HEADERS)
      .send(
        renderPage(config, {
          title: 'Something went wrong',
          main: '<p id="status" role="alert">Something went wrong on our side. Please try again in a minute.</p>',
        }),
      );
  };
}

interface PageReply {
  code(n: number): PageReply;
  headers(h: Record<string, string>): PageReply;
  send(body: string): unknown;
}
