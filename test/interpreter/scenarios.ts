// A scripted customer for each shipped journey: the delight event that starts a cycle, the traits that qualify
// them, and the action (plus conversions) they take when asked. Used by the long-life test, the history recorder
// and the replay test.
import { journeyEventSignal, journeyWorkflowId, type JourneyEvent } from '../../workflows/contract/index.ts';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CompiledPlan } from '../../definitions/plan.ts';
import { DAY, sendEvent, state, type Harness } from './harness.ts';

export interface Scenario {
  journeyId: string;
  traits: Record<string, unknown>;
  delight(cycle: number, customerId: string): JourneyEvent;
}

let n = 0;
const ev = (type: string, customerId: string, data: Record<string, unknown>, traits?: Record<string, unknown>): JourneyEvent => ({
  id: `s-${++n}-${type}`,
  type,
  customerId,
  occurredAt: '2026-01-01T00:00:00Z',
  data,
  ...(traits ? { traits } : {}),
});

const base = {
  email: 'casey@customer.example',
  firstName: 'Casey',
  timezone: 'Europe/Berlin',
  healthScore: 92,
  ownerEmail: 'owner@acme.example',
};

export const SCENARIOS: Scenario[] = [
  {
    journeyId: 'nps-promoter-referral',
    traits: { ...base, segment: 'mid-market' },
    delight: (_c, id) => ev('nps.submitted', id, { score: 10 }, SCENARIOS[0].traits),
  },
  {
    journeyId: 'milestone-review-ask',
    traits: { ...base, segment: 'mid-market' },
    delight: (_c, id) => ev('milestone.reached', id, { milestone: 'anniversary' }, SCENARIOS[1].traits),
  },
  {
    journeyId: 'strategic-reference-advisory',
    traits: { ...base, segment: 'enterprise', arr: 200000 },
    delight: (_c, id) => ev('contract.renewed', id, { arr: 200000, termMonths: 24 }, SCENARIOS[2].traits),
  },
  {
    journeyId: 'support-praise-advocacy',
    traits: { ...base, segment: 'enterprise' },
    delight: (_c, id) => ev('support.case_closed', id, { caseId: 'c1', praise: true }, SCENARIOS[3].traits),
  },
];

/** The customer's answer to an ask for `motion` (referrals also convert). */
export function actionsFor(motion: string, customerId: string, cycle: number): JourneyEvent[] {
  switch (motion) {
    case 'referral': {
      const referralId = `ref-${customerId}-${cycle}`;
      return [
        ev('referral.submitted', customerId, { referralId, referredEmail: `friend${cycle}@elsewhere.example`, referredName: 'Friend' }),
        ev('deal.closed_won', customerId, { referralId, referrerId: customerId, amount: 12000, currency: 'USD' }),
      ];
    }
    case 'review':
      return [ev('review.posted', customerId, { site: 'g2', rating: 5, url: 'https://g2.example/r' })];
    case 'community':
      return [ev('community.joined', customerId, { channel: 'slack' })];
    case 'reference-call':
      return [ev('reference_call.completed', customerId, { prospect: 'Prospect Inc' })];
    case 'case-study':
      return [ev('case_study.published', customerId, { url: 'https://acme.example/cs' })];
    case 'advisory-board':
      return [ev('advisory_board.joined', customerId, {})];
    default:
      return [];
  }
}

export interface CycleResult {
  runId: string;
  historyEvents: number;
  cycleAfter: number;
  status: string;
}

/**
 * One cycle of one customer: send the delight event, answer every ask with the motion's action, and let time run
 * until the run continues as new (or ends). Returns the finished run's history length.
 */
export async function driveCycle(
  env: TestWorkflowEnvironment,
  client: Client,
  h: Harness,
  plan: CompiledPlan,
  sc: Scenario,
  customerId: string,
  cycle: number,
): Promise<CycleResult> {
  const workflowId = journeyWorkflowId(plan.journeyId, customerId);
  await sendEvent(client, h, plan, customerId, sc.delight(cycle, customerId));
  const runId = (await client.workflow.getHandle(workflowId).describe()).runId;
  const run = client.workflow.getHandle(workflowId, runId);
  const answered = new Set<string>();
  for (let day = 0; day < 400; day += 2) {
    const d = await run.describe();
    if (d.status.name !== 'RUNNING') break;
    const s = await state(run);
    if (s.motion && s.asks.length > 0 && !answered.has(s.motion)) {
      answered.add(s.motion);
      for (const e of actionsFor(s.motion, customerId, cycle)) await run.signal(journeyEventSignal, e);
    }
    await env.sleep(2 * DAY);
  }
  const history = await run.fetchHistory();
  const now = await client.workflow.getHandle(workflowId).describe();
  const s = now.status.name === 'RUNNING' ? await state(client.workflow.getHandle(workflowId)) : { cycle: -1 };
  return { runId, historyEvents: history.events?.length ?? 0, cycleAfter: s.cycle, status: (await run.describe()).status.name };
}
