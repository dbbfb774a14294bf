// A reload asked for while another runs must read the files again: the running one may have read them before the
// change the second request is about (an operator edits a file and sends SIGHUP while the last reload still
// upgrades runs in flight). Found by test/api/sighup-reload.test.ts timing out in CI.
import { describe, expect, it } from 'vitest';
import { PlanRegistry, type LoadedPlans } from '../../api/registry.ts';
import type { Diagnostic } from '../../definitions/diagnostics.ts';

const broken: Diagnostic = {
  file: 'nps.json',
  line: 1,
  column: 1,
  pointer: '/status',
  message: 'not a status',
  severity: 'error',
  code: 'schema.enum',
};

describe('PlanRegistry.reload', () => {
  it('runs once more after a running reload for requests made during it; those requests share that one run', async () => {
    let files: LoadedPlans = { plans: [], diagnostics: [] };
    let release!: () => void;
    const firstReadHeld = new Promise<void>((r) => (release = r));
    let reads = 0;
    const registry = new PlanRegistry(async () => {
      reads += 1;
      const read = files; // what is on disk when this reload reads it
      if (reads === 1) await firstReadHeld;
      return read;
    });

    const first = registry.reload();
    await Promise.resolve();
    files = { plans: [], diagnostics: [broken] }; // the operator breaks the file, then asks again
    const second = registry.reload();
    const third = registry.reload();
    release();

    expect((await first).applied).toBe(true);
    const [b, c] = await Promise.all([second, third]);
    expect(b.applied).toBe(false);
    expect(b.diagnostics.map((d) => d.code)).toEqual(['schema.enum']);
    expect(c).toBe(b);
    expect(reads).toBe(2);

    expect((await registry.reload()).applied).toBe(false); // nothing running: a run of its own
    expect(reads).toBe(3);
  });
});
