// The account owner's task page (/o/<token>): what the owner is asked to do, for which account, by when, and two
// buttons, Done and Decline. Built from the run's state (journeyState query); the page itself changes nothing.
import type { PagesConfig } from '../../definitions/pages.ts';
import type { JourneySnapshot } from '../../workflows/contract/index.ts';
import type { OwnerTaskState } from '../../workflows/journey/state.ts';
import { escapeHtml, renderPage } from './layout.ts';
import { CSRF_FIELD } from './csrf.ts';

export type OwnerAnswerChoice = 'done' | 'decline';

const OUTCOME_TEXT: Record<NonNullable<OwnerTaskState['outcome']>, string> = {
  done: 'marked as done',
  declined: 'declined',
  'no-answer': 'closed without an answer (its deadline passed)',
};

/** "Dec 25, 2026, 5:00 PM (Europe/Berlin)" in the owner's zone when the run knows it, else UTC. */
export function ownerTime(config: PagesConfig, iso: string, zone: unknown): string {
  const timeZone = typeof zone === 'string' && zone ? zone : 'UTC';
  const opts = { dateStyle: 'medium', timeStyle: 'short', timeZone } as const;
  try {
    return new Intl.DateTimeFormat(config.locale, opts).format(new Date(iso)) + ` (${timeZone})`;
  } catch {
    return new Intl.DateTimeFormat(config.locale, { ...opts, timeZone: 'UTC' }).format(new Date(iso)) + ' (UTC)';
  }
}

export interface OwnerTaskView {
  state: JourneySnapshot;
  task: OwnerTaskState;
  journeyName: string;
  /** The form's target and CSRF field; absent once answered. */
  form?: { action: string; csrf: string; preselected?: OwnerAnswerChoice };
  /** Set right after the owner's POST: what was just recorded. */
  justAnswered?: OwnerAnswerChoice;
}

function account(state: JourneySnapshot): string {
  const company = state.traits.company;
  return typeof company === 'string' && company.trim() ? company.trim().slice(0, 200) : 'this account';
}

function details(config: PagesConfig, v: OwnerTaskView): string {
  const t = v.state.traits;
  const rows: [string, string][] = [
    ['Account', account(v.state)],
    ['Asked', `a ${v.task.motion.replace(/-/g, ' ')} (${v.journeyName})`],
    ['Answer by', ownerTime(config, v.task.dueAt, t.ownerTimezone)],
  ];
  if (v.state.qualification?.reason) rows.push(['Why now', v.state.qualification.reason]);
  if (typeof t.segment === 'string' && t.segment) rows.push(['Segment', t.segment]);
  return `<table id="task"><tbody>${rows.map(([k, val]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(val)}</td></tr>`).join('')}</tbody></table>`;
}

export function ownerTaskPage(config: PagesConfig, v: OwnerTaskView): string {
  const title = `Your 1:1 task: ${account(v.state)}`;
  let status = '';
  if (v.justAnswered)
    status = `<p id="status" class="note" role="status">Thank you: the task is ${v.justAnswered === 'done' ? 'marked as done' : 'declined'}. The journey takes it from here.</p>`;
  else if (v.task.outcome)
    status = `<p id="status" class="note" role="status">This task was already answered: ${escapeHtml(OUTCOME_TEXT[v.task.outcome])}${
      v.task.outcomeAt ? ` on ${escapeHtml(ownerTime(config, v.task.outcomeAt, v.state.traits.ownerTimezone))}` : ''
    }.</p>`;
  let form = '';
  if (v.form && !v.task.outcome && !v.justAnswered) {
    const hint = v.form.preselected
      ? `<p id="hint">Press <strong>${v.form.preselected === 'done' ? 'Done' : 'Decline'}</strong> to confirm. Opening this page changed nothing.</p>`
      : '<p id="hint">Tell the journey how it went. Opening this page changed nothing.</p>';
    form = `${hint}<form method="post" action="${escapeHtml(v.form.action)}">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(v.form.csrf)}">
<button type="submit" name="answer" value="done">Done</button>
<button type="submit" name="answer" value="decline">Decline</button>
</form>`;
  }
  return renderPage(config, { title, main: `${status}${details(config, v)}${form}` });
}

/** A link that is not ours, has expired, or whose task is no longer open. */
export function ownerTaskClosedPage(config: PagesConfig, why: 'invalid' | 'expired' | 'gone'): string {
  const message = {
    invalid: 'This task link is not valid. Please use the link from the task email as it was sent.',
    expired: 'This task link has expired. The task is closed; your CRM has its record.',
    gone: 'This task is no longer open: the journey has moved on. Nothing needs doing here.',
  }[why];
  return renderPage(config, { title: 'Task link', main: `<p id="status" role="alert">${escapeHtml(message)}</p>` });
}
