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

/** The searches an operator starts from: one customer's runs, runs by stage, held runs. */
export function operatorLinks(uiUrl: string, namespace: string, opts: { customerId: string; stages: string[] }): UiLink[] {
  const link = (label: string, query: string): UiLink => ({ label, query, url: workflowListUrl(uiUrl, namespace, query) });
  return [
    link('all journey runs', `WorkflowType = "${JOURNEY_WORKFLOW_TYPE}"`),
    link(`one customer's runs (${opts.customerId})`, `CustomerId = "${opts.customerId}"`),
    ...opts.stages.map((stage) => link(`runs in ${stage}`, `JourneyStage = "${stage}"`)),
    link('suppressed runs (held after a bad experience)', 'Suppressed = true'),
  ];
}
