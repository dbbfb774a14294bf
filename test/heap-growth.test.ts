// The worker's and the API's heap growth (worker/heap-growth.ts): the value is checked, and V8 takes it. Whether the
// worker and the API apply it at start is checked on the real processes: a bad value stops each with its variable's
// name before it touches Temporal. What it does to latency and CPU is measured in bench/scale.ts (bench/README.md).
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT, describeHeapGrowth, heapGrowthPercent } from '../worker/heap-growth.ts';
import { loadWorkerSettings, WorkerSettingsError } from '../worker/settings.ts';
import { runNode as run } from './support/run-node.ts';

describe('heap growth settings', () => {
  const VAR = 'JOURNEY_WORKER_HEAP_GROWTH_PERCENT';

  it('defaults to 100 % and takes a whole number from 0 to 400', () => {
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(100);
    expect(heapGrowthPercent({}, VAR)).toBe(100);
    expect(heapGrowthPercent({ [VAR]: '' }, VAR)).toBe(100);
    expect(heapGrowthPercent({ [VAR]: '0' }, VAR)).toBe(0);
    expect(heapGrowthPercent({ [VAR]: ' 50 ' }, VAR)).toBe(50);
    expect(heapGrowthPercent({ [VAR]: '400' }, VAR)).toBe(400);
    expect(loadWorkerSettings({ [VAR]: '30' }).heapGrowthPercent).toBe(30);
    expect(loadWorkerSettings({}).heapGrowthPercent).toBe(100);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['abc', '-1', '1.5', '401', '2x'])
      expect(() => heapGrowthPercent({ [VAR]: bad }, VAR)).toThrow(`${VAR} must be a whole number of percent`);
    expect(() => loadWorkerSettings({ [VAR]: 'lots' })).toThrow(WorkerSettingsError);
  });

  it('says what it set', () => {
    expect(describeHeapGrowth(100, VAR)).toBe(`heap grows to 2.0x its live size between full collections (${VAR})`);
    expect(describeHeapGrowth(0, VAR)).toBe(`heap growth left to V8 (${VAR}=0)`);
  });
});

describe('V8 takes the heap growth', () => {
  // v8.cachedDataVersionTag() is a hash of V8's flags: it moves when --heap-growing-percent changes, and only then.
  const probe = `
    import v8 from 'node:v8';
    import { applyHeapGrowth } from './worker/heap-growth.ts';
    const before = v8.cachedDataVersionTag();
    applyHeapGrowth(Number(process.argv[1]));
    const applied = v8.cachedDataVersionTag();
    v8.setFlagsFromString('--heap-growing-percent=' + process.argv[1]);
    const direct = v8.cachedDataVersionTag();
    console.log(JSON.stringify({ before, applied, direct }));
  `;

  it('applyHeapGrowth(100) sets --heap-growing-percent=100; 0 leaves V8 as it was', async () => {
    const set = await run(['--import', 'tsx', '--input-type=module', '-e', probe, '100']);
    const s = JSON.parse(set.output.trim().split('\n').pop()!);
    expect(s.applied).not.toBe(s.before);
    expect(s.applied).toBe(s.direct);
    const left = await run(['--import', 'tsx', '--input-type=module', '-e', probe, '0']);
    const l = JSON.parse(left.output.trim().split('\n').pop()!);
    expect(l.applied).toBe(l.before);
  }, 30_000);
});

describe('the worker and the API apply it at start', () => {
  it('the worker exits 1 on a bad JOURNEY_WORKER_HEAP_GROWTH_PERCENT, naming it', async () => {
    const { code, output } = await run(['--import', 'tsx', 'worker/main.ts'], { JOURNEY_WORKER_HEAP_GROWTH_PERCENT: 'big' });
    expect(code).toBe(1);
    expect(output).toContain('worker: JOURNEY_WORKER_HEAP_GROWTH_PERCENT must be a whole number of percent');
  }, 30_000);

  it('the API exits 1 on a bad JOURNEY_API_HEAP_GROWTH_PERCENT, naming it', async () => {
    const { code, output } = await run(['--import', 'tsx', 'api/main.ts'], {
      JOURNEY_API_KEYS: 'k',
      JOURNEY_REFERRAL_CODE_SECRET: 'heap-growth-referral-secret',
      JOURNEY_API_HEAP_GROWTH_PERCENT: '-5',
    });
    expect(code).toBe(1);
    expect(output).toContain('api: JOURNEY_API_HEAP_GROWTH_PERCENT must be a whole number of percent');
  }, 30_000);
});
