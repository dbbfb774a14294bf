// What an experiment's primary metric measures per customer, read off its declared KPI formula, so the compiler can
// refuse a metric that cannot compare an arm with control, and the experiment report can count it per arm:
// - a rate per customer, `count(DISTINCT advocate_id) FILTER (WHERE N) / nullif(count(DISTINCT advocate_id) FILTER (WHERE D), 0)`:
//   x = customers of the arm meeting N, n = those meeting D; usable only when control reaches D (control is never
//   asked, so a denominator of asked customers is empty for it);
// - a revenue per customer: a currency KPI that is a sum (no ratio, no average), evaluated per customer, zeros included.
// Pure: the compiler and the report both call it.

export interface KpiFormula {
  id: string;
  unit: string;
  formula: string;
}

export type MetricShape =
  { kind: 'rate'; numerator: string; denominator: string } | { kind: 'revenue'; perCustomer: string } | { kind: 'unusable'; why: string };

const RATE =
  /^\(count\(DISTINCT advocate_id\) FILTER \(WHERE (.+)\)\) \/ nullif\(count\(DISTINCT advocate_id\) FILTER \(WHERE (.+)\), 0\)$/s;
/** What only a customer who was asked can meet. */
const ASKED_ONLY = /'ask\.sent'|first_ask_at|cohort_week/;

export function metricShape(kpi: KpiFormula): MetricShape {
  const formula = kpi.formula.trim();
  const rate = RATE.exec(formula);
  if (rate) {
    const [, numerator, denominator] = rate;
    if (ASKED_ONLY.test(denominator))
      return {
        kind: 'unusable',
        why: `its denominator counts only asked customers, and control is never asked, so control has no rate to compare with`,
      };
    return { kind: 'rate', numerator, denominator };
  }
  if (kpi.unit === 'currency' && /^(coalesce\()?sum\(/.test(formula) && !/\s\/\s/.test(formula))
    return { kind: 'revenue', perCustomer: formula };
  return { kind: 'unusable', why: `it is not a rate per customer nor a revenue (unit ${kpi.unit})` };
}

/** The KPIs an experiment can take as its primary metric, for suggestions. */
export function usableMetrics(kpis: KpiFormula[]): string[] {
  return kpis.filter((k) => metricShape(k).kind !== 'unusable').map((k) => k.id);
}
