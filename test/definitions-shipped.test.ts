// The shipped journeys: each compiles without a diagnostic, to the same plan and hash every time, with the
// routing and defaults the interpreter and the API rely on; and they cover the playbook the issue asks for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileJourney } from '../definitions/compiler/index.ts';
import { createEventValidator } from '../definitions/events.ts';
import { JOURNEYS_DIR, loadCatalog, loadJourneyDir, loadTemplates } from '../definitions/loader.ts';
import type { CompiledPlan } from '../definitions/plan.ts';
import { journeyMermaid } from '../cli/mermaid.ts';
import { metricShape } from '../definitions/experiments/metric.ts';

const byId = async () => {
  const { plans, diagnostics } = await loadJourneyDir();
  return { diagnostics, plans: Object.fromEntries(plans.map((p) => [p.journeyId, p])) as Record<string, CompiledPlan> };
};

describe('shipped journeys', () => {
  it('all compile without a single diagnostic, and there are at least four', async () => {
    const { plans, diagnostics } = await loadJourneyDir();
    expect(diagnostics).toEqual([]);
    expect(plans.map((p) => p.journeyId).sort()).toEqual([
      'milestone-review-ask',
      'nps-promoter-referral',
      'strategic-reference-advisory',
      'support-praise-advocacy',
    ]);
  });

  it('compile to the same plan and hash every time, and the hash follows content, not layout', async () => {
    const first = await loadJourneyDir();
    const second = await loadJourneyDir();
    expect(second.plans).toEqual(first.plans);
    for (const plan of first.plans) expect(plan.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(first.plans.map((p) => p.hash)).size).toBe(first.plans.length);

    const file = join(JOURNEYS_DIR, 'milestone-review-ask.json');
    const source = readFileSync(file, 'utf8');
    const templates = loadTemplates();
    const original = compileJourney({ file, source, templates }, loadCatalog()).plan!;
    const reformatted = compileJourney({ file, source: JSON.stringify(JSON.parse(source)), templates }, loadCatalog()).plan!;
    expect(reformatted.hash).toBe(original.hash);
    const edited = compileJourney({ file, source: source.replace('"P14D"', '"P15D"'), templates }, loadCatalog()).plan!;
    expect(edited.hash).not.toBe(original.hash);
    const otherTemplate = compileJourney(
      { file, source, templates: { ...templates, 'templates/review-ask.mustache': 'changed {{traits.firstName}}' } },
      loadCatalog(),
    ).plan!;
    expect(otherTemplate.hash).not.toBe(original.hash);
  });

  it('NPS promoter → two-sided tiered referral: plan shape, routing and filled-in defaults', async () => {
    const { plans } = await byId();
    const plan = plans['nps-promoter-referral'];
    expect(plan.planFormat).toBe(1);
    expect(plan.version).toBe(1);
    expect(plan.definition).not.toHaveProperty('$schema');
    expect(plan.routing).toEqual({
      listen: ['nps.submitted'],
      suppress: [
        'churn.risk_flagged',
        'customer.opted_out',
        'email.bounced',
        'email.spam_complaint',
        'escalation.opened',
        'escalation.resolved',
        'nps.submitted',
        'payment.failed',
      ],
      actions: ['case_study.published', 'referral.submitted'],
      conversions: ['deal.closed_lost', 'deal.closed_won', 'opportunity.created', 'referral.qualified'],
      reversals: ['referral.reversed'],
    });
    const reward = plan.definition.motions.referral!.reward!;
    expect(reward.type).toBe('tiered');
    expect(reward.referred).toBeDefined();
    expect(reward.tiers!.map((t) => t.threshold)).toEqual([3, 5, 10]);
    expect(Object.keys(plan.templates)).toEqual([
      'templates/referral-invite.mustache',
      'templates/referral-reminder.mustache',
      'templates/referral-thank-you.mustache',
    ]);
    // defaults the interpreter can count on
    expect(plan.definition.motions['case-study']!.invite.variants).toEqual([]);
    for (const s of plan.definition.suppression.signals) if (s.effect === 'hold') expect(s.coolDown).toMatch(/^P/);
  });

  it('every shipped journey suppresses the playbook bad signals and keeps asks in a send window', async () => {
    const { plans } = await byId();
    for (const plan of Object.values(plans)) {
      const events = plan.definition.suppression.signals.map((s) => s.event);
      expect(events, plan.journeyId).toEqual(
        expect.arrayContaining(['nps.submitted', 'payment.failed', 'email.bounced', 'email.spam_complaint', 'customer.opted_out']),
      );
      expect(
        plan.definition.suppression.whileOpen!.map((r) => r.openedBy),
        plan.journeyId,
      ).toContain('escalation.opened');
      expect(plan.definition.contactPolicy, plan.journeyId).toBeDefined();
      for (const motion of Object.values(plan.definition.motions))
        expect(motion!.invite.sendWindow.end > motion!.invite.sendWindow.start).toBe(true);
    }
  });

  it('the strategic journey asks through the account owner and expands to the advisory board', async () => {
    const { plans } = await byId();
    const def = plans['strategic-reference-advisory'].definition;
    expect(def.motions['reference-call']!.invite.channel).toBe('owner-outreach');
    expect(def.expand!.promotions.map((p) => p.motion)).toContain('advisory-board');
    expect(plans['support-praise-advocacy'].routing.actions).toEqual(['community.joined', 'review.posted']);
    expect(plans['milestone-review-ask'].routing.listen).toEqual(['milestone.reached']);
  });

  it('the event validator accepts catalog events and names what is wrong with others', () => {
    const check = createEventValidator(loadCatalog());
    expect(check('nps.submitted', { score: 10 })).toEqual({ ok: true });
    const bad = check('nps.submitted', { score: 11 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0].pointer).toBe('/data/score');
    const missing = check('referral.submitted', { referralId: 'r1' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.map((e) => e.pointer)).toContain('/data/referredEmail');
    const unknown = check('nps.submited', { score: 9 });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.errors[0].message).toContain('did you mean `nps.submitted`');
  });

  it('docs/journeys.md shows the current graph of every shipped journey', async () => {
    const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'journeys.md'), 'utf8');
    const blocks = [...docs.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
    const { plans } = await loadJourneyDir();
    for (const plan of plans)
      expect(blocks, `graph of ${plan.journeyId} in docs/journeys.md (regenerate with journey graph)`).toContain(journeyMermaid(plan));
  });
});

describe('the shipped sample experiment', () => {
  it('milestone review ask v2 tests two wordings with a 10 % holdout, its shares add up to 1 and its metric can compare with control', async () => {
    const { plans } = await byId();
    const plan = plans['milestone-review-ask'];
    expect(plan.version).toBe(2);
    const x = plan.definition.experiment!;
    expect(x).toMatchObject({ id: 'review-ask-wording', motion: 'review', holdout: 0.1, defaultArm: 'congratulate' });
    expect(x.arms.map((a) => [a.id, a.weight])).toEqual([
      ['congratulate', 0.45],
      ['short-favour', 0.45],
    ]);
    // The arm's own template is pinned with the plan, like every template the journey names.
    expect(Object.keys(plan.templates)).toContain('templates/review-ask-short.mustache');
    const kpi = loadCatalog().kpis!.find((k) => k.id === x.primaryMetric)!;
    expect(metricShape(kpi).kind).toBe('rate');
  });
});
