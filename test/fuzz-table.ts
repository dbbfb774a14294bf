// The one table a fuzz campaign prints: requests per route by status class, then the totals the issue asks for
// (5xx, error-shape violations, signals, stuck and failing workflow tasks, acts on another customer's event).
import type { CampaignResult } from './fuzz-campaign.ts';

const CLASSES = ['2xx', '3xx', '4xx', '5xx', 'none'];

export function fuzzTable(r: CampaignResult): string {
  const routes = Object.keys(r.byRoute).sort();
  const width = Math.max(...routes.map((x) => x.length), 'route'.length);
  const cell = (v: string | number) => String(v).padStart(6);
  const lines = [`${'route'.padEnd(width)} ${cell('reqs')}${CLASSES.map(cell).join('')}`];
  const totals: Record<string, number> = {};
  for (const route of routes) {
    const row = r.byRoute[route];
    const n = Object.values(row).reduce((a, b) => a + b, 0);
    for (const c of CLASSES) totals[c] = (totals[c] ?? 0) + (row[c] ?? 0);
    lines.push(`${route.padEnd(width)} ${cell(n)}${CLASSES.map((c) => cell(row[c] ?? 0)).join('')}`);
  }
  const all = Object.values(totals).reduce((a, b) => a + b, 0);
  lines.push(`${'all routes'.padEnd(width)} ${cell(all)}${CLASSES.map((c) => cell(totals[c] ?? 0)).join('')}`);
  const sent = Object.values(r.signals.sent).reduce((a, b) => a + b, 0);
  const wftFailures = r.audit.workflowTaskFailures.reduce((a, f) => a + f.count, 0);
  lines.push(
    '',
    `seed ${r.seed}, ${r.seconds.toFixed(0)} s`,
    `requests ${all}; 5xx ${totals['5xx'] ?? 0}; no answer ${totals.none ?? 0}; 4xx not in the error shape ${r.violations.filter((v) => v.status >= 400 && v.status < 500).length}`,
    `mutations: ${Object.entries(r.byMutation)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${n}`)
      .join(', ')}`,
    `direct signals and updates ${sent} (updates accepted ${r.signals.updates.accepted}, rejected ${r.signals.updates.rejected}; refused by Temporal or the client ${r.signals.errors.length})`,
    `  ${Object.entries(r.signals.sent)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    ...r.signals.errors.slice(0, 5).map((e) => `  refused by Temporal or the client: ${e}`),
    ...r.audit.workflowTaskFailures.map((f) => `  workflow task failed ${f.count}× in ${f.workflowId}: ${f.cause}`),
    `runs audited ${r.audit.workflows} (journey runs ${r.audit.journeyRuns}); workflow tasks failed ${wftFailures}; stuck ${r.audit.stuck.length}; failed runs ${r.audit.failedRuns.length}`,
    `events naming another customer sent straight to a run ${r.audit.foreignEventsSent} (refusal still in the notes ${r.audit.foreignRefusalsSeen}); acted on ${r.audit.crossCustomer.length}; emails ${r.audit.emails}`,
  );
  return lines.join('\n');
}

/** The violations grouped by route, status and problem, with one example request each (for a failing run's log). */
export function violationSummary(r: CampaignResult, max = 40): string {
  const groups = new Map<string, { n: number; example: string }>();
  for (const v of r.violations) {
    const key = `${v.route} ${v.status} ${v.problem.slice(0, 120)}`;
    const g = groups.get(key) ?? { n: 0, example: `${v.mutation}: ${v.request.slice(0, 400)} => ${v.response.slice(0, 300)}` };
    g.n++;
    groups.set(key, g);
  }
  return [...groups.entries()]
    .slice(0, max)
    .map(([k, g]) => `${g.n} × ${k}\n    ${g.example}`)
    .join('\n');
}
