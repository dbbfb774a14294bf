// The small HTML pages of the unsubscribe link (api/routes/unsubscribe.ts): no script, each action a form POST, every
// value escaped, in the same layout and look as the advocate pages (api/pages/layout.ts, definitions/pages.json).
import type { PagesConfig } from '../../definitions/pages.ts';
import { DEFAULT_PAGES, escapeHtml, renderPage } from '../pages/layout.ts';

export type PageState =
  | { kind: 'invalid' }
  | { kind: 'ask' | 'unsubscribed' | 'resubscribed' | 'opted-out-elsewhere' | 'unavailable'; journey: string; token: string };

function button(action: string, label: string, id: string): string {
  return `<form method="post" action="${escapeHtml(action)}"><button id="${id}" type="submit">${escapeHtml(label)}</button></form>`;
}

function body(state: PageState): { title: string; html: string } {
  if (state.kind === 'invalid')
    return { title: 'Link not valid', html: '<p>This unsubscribe link is not valid. Use the link from the most recent email.</p>' };
  const self = `/u/${encodeURIComponent(state.token)}`;
  const journey = `<strong>${escapeHtml(state.journey)}</strong>`;
  switch (state.kind) {
    case 'ask':
      return {
        title: 'Unsubscribe',
        html: `<p>Stop receiving these emails (${journey} and every other ask from us)?</p>${button(self, 'Unsubscribe', 'unsubscribe')}`,
      };
    case 'unsubscribed':
      return {
        title: 'Unsubscribed',
        html: `<p id="status">You are unsubscribed: you will get no more asks from us (${journey} and every other one).</p><p>Clicked by mistake?</p>${button(`${self}/undo`, 'Undo: subscribe me again', 'undo')}`,
      };
    case 'resubscribed':
      return {
        title: 'Subscribed again',
        html: `<p id="status">You are subscribed again.</p>${button(self, 'Unsubscribe', 'unsubscribe')}`,
      };
    case 'opted-out-elsewhere':
      return {
        title: 'Unsubscribed',
        html: `<p id="status">You are unsubscribed from our asks (this was not done with this link, so it cannot be undone here).</p>`,
      };
    case 'unavailable':
      return {
        title: 'Try again',
        html: `<p id="status">We could not record this just now. Please try again in a minute.</p>${button(self, 'Unsubscribe', 'unsubscribe')}`,
      };
  }
}

export function unsubscribePage(state: PageState, config: PagesConfig = DEFAULT_PAGES): string {
  const { title, html } = body(state);
  return renderPage(config, { title, main: html });
}
