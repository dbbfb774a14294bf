// What happens to each demo customer, as a timed list of events a backend would send. One scenario per
// situation the engine must handle, so every stage (and every reason to hold back) shows up in the UI.
// Times are seconds after the customer's first event; with one journey day = 2 s (the default demo scale),
// a 2-day first-ask delay is 4 s, so actions are timed after the ask has gone out.

export interface DemoStep {
  /** Seconds after the customer's first event. */
  at: number;
  type: string;
  data: Record<string, unknown>;
  /** Send this event about another customer id (a referred friend's conversion events). */
  aboutCustomer?: string;
}

export interface Scenario {
  id: string;
  /** One line for the progress printout and the docs. */
  story: string;
  traits: Record<string, unknown>;
  steps(customerId: string): DemoStep[];
}

const happy = { healthScore: 88, churnRisk: 'low' };

function referral(customerId: string, n: number, at: number, amount: number): DemoStep[] {
  const referralId = `${customerId}-ref-${n}`;
  const friend = `${customerId}-friend-${n}`;
  const ids = { referralId, referrerId: customerId };
  return [
    {
      at,
      type: 'referral.submitted',
      data: { referralId, referredEmail: `friend${n}@${friend}.example`, referredName: `Friend ${n}`, referredCustomerId: friend },
    },
    { at: at + 6, type: 'referral.qualified', data: ids, aboutCustomer: friend },
    { at: at + 12, type: 'opportunity.created', data: { ...ids, amount }, aboutCustomer: friend },
    { at: at + 20, type: 'deal.closed_won', data: { ...ids, amount, currency: 'USD' }, aboutCustomer: friend },
  ];
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'promoter-refers',
    story: 'NPS 10 → asked → refers a friend → deal closed won → reward',
    traits: { segment: 'mid-market', ...happy },
    steps: (c) => [{ at: 0, type: 'nps.submitted', data: { score: 10 } }, ...referral(c, 1, 8, 24_000)],
  },
  {
    id: 'escalation-before-ask',
    story: 'NPS 10, then an escalation opens before the ask → no email, held until resolved + cool-down',
    traits: { segment: 'mid-market', ...happy },
    steps: () => [
      { at: 0, type: 'nps.submitted', data: { score: 10 } },
      { at: 1, type: 'escalation.opened', data: { escalationId: 'esc-1', severity: 'high' } },
      { at: 40, type: 'escalation.resolved', data: { escalationId: 'esc-1' } },
    ],
  },
  {
    id: 'milestone-review',
    story: 'go-live milestone → review ask → review posted → reward after the hold',
    traits: { segment: 'smb', ...happy },
    steps: () => [
      { at: 0, type: 'milestone.reached', data: { milestone: 'go-live' } },
      { at: 10, type: 'review.posted', data: { site: 'g2', rating: 5, url: 'https://g2.example/acme' } },
    ],
  },
  {
    id: 'detractor',
    story: 'NPS 3 → suppressed (cool-down), never asked',
    traits: { segment: 'mid-market', healthScore: 55, churnRisk: 'medium' },
    steps: () => [{ at: 0, type: 'nps.submitted', data: { score: 3, comment: 'Too many outages' } }],
  },
  {
    id: 'strategic-reference',
    story: 'strategic account, positive QBR → reference call → advisory board after two',
    traits: { segment: 'strategic', healthScore: 92, churnRisk: 'low', ownerName: 'Dana Owner', ownerEmail: 'dana@acme.example' },
    steps: () => [
      { at: 0, type: 'qbr.completed', data: { sentiment: 'positive' } },
      { at: 12, type: 'reference_call.completed', data: { prospect: 'Globex' } },
      { at: 70, type: 'reference_call.completed', data: { prospect: 'Initech' } },
    ],
  },
  {
    id: 'promoter-silent',
    story: 'NPS 9 → asked, reminded, never acts → back to Listen after the timeout',
    traits: { segment: 'mid-market', ...happy },
    steps: () => [{ at: 0, type: 'nps.submitted', data: { score: 9 } }],
  },
  {
    id: 'support-praise-community',
    story: 'support case closed with praise (SMB) → community invite → joins',
    traits: { segment: 'smb', ...happy },
    steps: () => [
      { at: 0, type: 'support.case_closed', data: { caseId: 'case-1', praise: true, csat: 5 } },
      { at: 10, type: 'community.joined', data: { channel: 'slack' } },
    ],
  },
  {
    id: 'payment-failed-after-ask',
    story: 'NPS 10 → asked → payment fails → pending reminders cancelled, held',
    traits: { segment: 'mid-market', ...happy },
    steps: () => [
      { at: 0, type: 'nps.submitted', data: { score: 10 } },
      { at: 7, type: 'payment.failed', data: { invoiceId: 'inv-1', amount: 1200 } },
    ],
  },
  {
    id: 'top-advocate',
    story: 'NPS 10 → three referrals closed won → tier bonus → promoted to a case study',
    traits: { segment: 'enterprise', ...happy },
    steps: (c) => [
      { at: 0, type: 'nps.submitted', data: { score: 10 } },
      ...referral(c, 1, 8, 30_000),
      ...referral(c, 2, 10, 18_000),
      ...referral(c, 3, 12, 42_000),
      { at: 90, type: 'case_study.published', data: { url: 'https://acme.example/customers/case-study' } },
    ],
  },
  {
    id: 'opts-out',
    story: 'NPS 10 → asked → opts out: nothing more, in any journey',
    traits: { segment: 'self-serve', ...happy },
    steps: () => [
      { at: 0, type: 'nps.submitted', data: { score: 10 } },
      { at: 6, type: 'customer.opted_out', data: { source: 'unsubscribe-link' } },
    ],
  },
  {
    id: 'churn-risk-promoter',
    story: 'NPS 10 but high churn risk → disqualified, not asked',
    traits: { segment: 'mid-market', healthScore: 40, churnRisk: 'high' },
    steps: () => [{ at: 0, type: 'nps.submitted', data: { score: 10 } }],
  },
];
