import { JOURNEY_WORKFLOW_TYPE } from '../../workflows/contract/index.ts';
// Ready-made Temporal UI links for an operator: the workflow list filtered by a visibility query.

export function workflowListUrl(uiUrl: string, namespace: string, query?: string): string {
  const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return query ? `${base}?query=${encodeURIComponent(query)}` : base;
}

export interface UiLink {
  label: string;
  query: string;
  url: string;
}

/** The current run of each journey and customer only: a run that handed over (continued as new) is closed. */
const CURRENT = 'ExecutionStatus = "Running"';

/** The list views an operator starts from: every journey run, one customer's runs, runs by stage, runs awaiting a
 *  reward, held runs. Each shows current runs only (not the closed runs a continue-as-new leaves behind). */
export function operatorLinks(uiUrl: string, namespace: string, opts: { customerId: string; stages: string[] }): UiLink[] {
  const link = (label: string, query: string): UiLink => ({
    label,
    query,
    url: workflowListUrl(uiUrl, namespace, `${query} AND ${CURRENT}`),
  });
  return [
    link('all journey runs', `WorkflowType = "${JOURNEY_WORKFLOW_TYPE}"`),
    link(`one customer's runs (${opts.customerId})`, `CustomerId = "${opts.customerId}"`),
    ...opts.stages.map((stage) => link(`runs in ${stage}`, `JourneyStage = "${stage}"`)),
    link('awaiting a reward (held until the deal closes)', 'JourneyStage = "reward"'),
    link('suppressed runs (held after a bad experience)', 'Suppressed = true'),
  ];
}
