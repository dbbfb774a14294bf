// The preview page: one self-contained HTML file with every rendered message (headers and HTML body), blanks
// marked in place and counted at the top, so a marketer can scroll through everything a journey can send.
import { escapeHtml } from '../../definitions/messages/render.ts';
import type { Preview } from './build-previews.ts';

const STYLE = `
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
.summary.ok { color: #8fe3a1; } .summary.bad { color: #ffb4a8; font-weight: 600; }
main { padding: 16px 24px; display: grid; gap: 16px; max-width: 980px; }
article { background: #fff; border: 1px solid #d8dbe2; border-radius: 8px; overflow: hidden; }
article.has-blank { border-color: #d93025; box-shadow: 0 0 0 2px #fbd3cf; }
article h2 { margin: 0; padding: 10px 14px; font-size: 15px; background: #eef0f4; border-bottom: 1px solid #d8dbe2; }
article h2 .customer { font-weight: 400; color: #555e70; }
dl.headers { display: grid; grid-template-columns: 70px 1fr; margin: 0; padding: 10px 14px; border-bottom: 1px solid #eef0f4; }
dl.headers dt { color: #555e70; } dl.headers dd { margin: 0; }
.message-body { padding: 4px 14px 10px; }
.note { padding: 10px 14px; color: #555e70; font-style: italic; }
mark.blank { background: #fbd3cf; color: #a50e0e; border: 1px dashed #d93025; padding: 0 3px; border-radius: 3px; font-weight: 600; }
ul.blanks { margin: 0; padding: 8px 14px 8px 32px; background: #fff4f2; color: #a50e0e; border-top: 1px solid #fbd3cf; }
`;

export function previewPage(title: string, previews: Preview[]): string {
  const blanks = previews.filter((p) => p.blanks.length > 0).length;
  const summary =
    blanks === 0
      ? `<p class="summary ok">${previews.length} messages, no blank value</p>`
      : `<p class="summary bad">${blanks} of ${previews.length} messages have a blank value (marked in red)</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(title)}</h1>${summary}</header>
<main>
${previews.map(article).join('\n')}
</main></body></html>
`;
}

function article(p: Preview, i: number): string {
  const head = `<h2>${escapeHtml(p.motion)} · ${escapeHtml(p.label)} <span class="customer">for ${escapeHtml(p.customer.id)}${
    p.customer.description ? ` (${escapeHtml(p.customer.description)})` : ''
  }</span></h2>`;
  const classes = p.blanks.length > 0 ? 'message has-blank' : 'message';
  if (p.notSent) return `<article class="${classes}" id="m${i}">${head}<p class="note">${escapeHtml(p.notSent)}</p></article>`;
  const subject = p.markedSubject !== undefined ? p.markedSubject : `<em>Postmark template ${escapeHtml(p.postmarkAlias ?? '')}</em>`;
  const headers = `<dl class="headers"><dt>From</dt><dd>${escapeHtml(p.from)}</dd><dt>To</dt><dd>${escapeHtml(p.to ?? '')}</dd><dt>Subject</dt><dd class="subject">${subject}</dd><dt>Template</dt><dd>${escapeHtml(p.template)} <code>${escapeHtml(p.pointer)}</code></dd></dl>`;
  const body = p.postmarkAlias
    ? `<p class="note">rendered by Postmark from the template alias \`${escapeHtml(p.postmarkAlias)}\`: not previewed here</p>`
    : `<div class="message-body">${p.markedHtml ?? ''}</div>`;
  const list = p.blanks.length
    ? `<ul class="blanks">${p.blanks.map((b) => `<li>{{${escapeHtml(b.name)}}} in the ${b.in} is ${b.why}</li>`).join('')}</ul>`
    : '';
  return `<article class="${classes}" id="m${i}">${head}${headers}${body}${list}</article>`;
}
