// GET /v1/reports/experiments/{id}: the shipped sample experiment's arms side by side over a tracking log written as
// the interpreter writes it (experiment.assigned at Qualify, held out for control, action.taken), with each arm's
// lift over control and its interval as the stats module computes it, "too small to call" while it is, the method
// stated, and a 404 naming an unknown id. The same report renders in the HTML report with the arms side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTrackingBatch } from './experiment-support.ts';
import { rateLift } from '../../reports/experiments/stats.ts';
import { findExperiment, runExperimentReport, type ExperimentReport } from '../../reports/experiments/report.ts';
import { renderExperimentHtml } from '../../reports/experiments/render.ts';
import { loadCatalog, loadJourneyDir } from '../../definitions/loader.ts';
import { auth, startApi, type ApiFixture } from './support.ts';

const EXPERIMENT = 'review-ask-wording';

describe('experiment report (API)', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApi();
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  const get = (id: string) => f.api.inject({ method: 'GET', url: `/v1/reports/experiments/${id}`, headers: auth('read-key') });

  it('is too small to call with a handful of customers, then gives each arm its lift and interval', async () => {
    // group → [customers, of whom acted]
    await appendTrackingBatch(f.dataDir, { control: [4, 1], congratulate: [4, 2], 'short-favour': [4, 3] }, 'small');
    const small = get(EXPERIMENT);
    const early = (await small).json() as ExperimentReport;
    expect((await small).statusCode).toBe(200);
    expect(early.arms.map((a) => [a.arm, a.customers])).toEqual([
      ['control', 4],
      ['congratulate', 4],
      ['short-favour', 4],
    ]);
    for (const arm of early.arms.filter((a) => !a.control)) expect(arm.lift?.tooSmall).toMatch(/^too small to call/);
    expect(early.verdicts[0]).toMatch(/^congratulate: too small to call/);

    await appendTrackingBatch(f.dataDir, { control: [56, 11], congratulate: [196, 79], 'short-favour': [196, 107] }, 'big');
    const res = await get(EXPERIMENT);
    const report = res.json() as ExperimentReport;
    expect(report.primaryMetric).toEqual({
      id: 'referral-program-participation-rate',
      kind: 'rate',
      method: expect.stringContaining('Newcombe'),
    });
    expect(report.methods.population).toContain('intent to treat');
    const [control, congratulate, short] = report.arms;
    expect([control.customers, congratulate.customers, short.customers]).toEqual([60, 200, 200]);
    expect(control.funnel.find((s) => s.step === 'asked')).toEqual({ step: 'asked', customers: 0, rate: 0 });
    expect(control.funnel.find((s) => s.step === 'held out')).toEqual({ step: 'held out', customers: 60, rate: 1 });
    expect(short.funnel.find((s) => s.step === 'acted')).toEqual({ step: 'acted', customers: 110, rate: 0.55 });
    expect(control.primary).toEqual({ value: 12 / 60, x: 12, n: 60 });
    const { kind, ...lift } = short.lift!;
    expect(kind).toBe('rate');
    expect(lift).toEqual(rateLift(110, 200, 12, 60));
    expect(lift.significant).toBe(true);
    expect(report.verdicts[1]).toMatch(/^short-favour: better than control by 35\.0 pp \(95 % interval /);
  });

  it('answers 404 naming an experiment no journey declares', async () => {
    const res = await get('no-such-test');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('id: no journey served here declares the experiment "no-such-test"');
    expect(res.json().errors).toEqual([expect.objectContaining({ in: 'path', pointer: '/id' })]);
  });

  it('renders the arms side by side in the HTML report, with the method', async () => {
    const { plans } = await loadJourneyDir();
    const report = await runExperimentReport(f.dataDir, findExperiment(plans, EXPERIMENT)!, loadCatalog().kpis!);
    const html = renderExperimentHtml(report);
    expect(html).toMatch(
      /<thead><tr><th><\/th><th>control \(10\.0%\)<\/th><th>congratulate \(45\.0%\)<\/th><th>short-favour \(45\.0%\)<\/th><\/tr><\/thead>/,
    );
    expect(html).toContain('<tr><th scope="row">acted</th><td>12 (20.0%)</td><td>81 (40.5%)</td><td>110 (55.0%)</td></tr>');
    expect(html).toContain("Newcombe's hybrid score interval");
  });
});
