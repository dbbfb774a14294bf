// The workers' and APIs' malloc (worker/allocator.ts): what JOURNEY_WORKER_ALLOCATOR and JOURNEY_API_ALLOCATOR give
// the processes the launchers spawn, and that a process started with it really runs with jemalloc.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JEMALLOC_PATHS, runsWithJemalloc, workerAllocator } from '../worker/allocator.ts';
import { apiAllocator } from '../scripts/start-processes.ts';

const LIB = JEMALLOC_PATHS[0];
const installed = (path: string) => path === LIB;
const missing = () => false;

describe('the malloc of workers and APIs (JOURNEY_WORKER_ALLOCATOR, JOURNEY_API_ALLOCATOR)', () => {
  it('auto preloads jemalloc where it is installed, keeping a preload already set after it', () => {
    expect(workerAllocator({}, installed)).toEqual({ env: { LD_PRELOAD: LIB }, note: `jemalloc (${LIB})` });
    expect(workerAllocator({ LD_PRELOAD: '/opt/a.so /opt/b.so' }, installed).env).toEqual({ LD_PRELOAD: `${LIB}:/opt/a.so:/opt/b.so` });
    // Set already (a launcher started by a launcher): not twice.
    expect(workerAllocator({ LD_PRELOAD: LIB }, installed).env).toEqual({ LD_PRELOAD: LIB });
  });

  it('auto keeps the system malloc where jemalloc is missing, and says how to get it', () => {
    const a = workerAllocator({ JOURNEY_WORKER_ALLOCATOR: 'auto' }, missing);
    expect(a.env).toEqual({});
    expect(a.note).toContain('apt-get install libjemalloc2');
  });

  it('jemalloc is required when asked for; system never preloads; anything else is refused by name', () => {
    expect(() => workerAllocator({ JOURNEY_WORKER_ALLOCATOR: 'jemalloc' }, missing)).toThrow(
      /JOURNEY_WORKER_ALLOCATOR=jemalloc, but libjemalloc\.so\.2 is in none of \/usr\/lib\/x86_64-linux-gnu/,
    );
    expect(workerAllocator({ JOURNEY_WORKER_ALLOCATOR: 'jemalloc' }, installed).env).toEqual({ LD_PRELOAD: LIB });
    expect(workerAllocator({ JOURNEY_WORKER_ALLOCATOR: 'system' }, installed)).toEqual({
      env: {},
      note: "the system's malloc (JOURNEY_WORKER_ALLOCATOR=system)",
    });
    expect(() => workerAllocator({ JOURNEY_WORKER_ALLOCATOR: 'tcmalloc' }, installed)).toThrow(
      'JOURNEY_WORKER_ALLOCATOR must be auto, jemalloc or system, got "tcmalloc"',
    );
  });

  it("the APIs' variable is read on its own: each process kind is set apart, and errors name the variable", () => {
    expect(apiAllocator({}, installed)).toEqual({ env: { LD_PRELOAD: LIB }, note: `jemalloc (${LIB})` });
    // One kind on the system's malloc leaves the other on jemalloc.
    expect(apiAllocator({ JOURNEY_API_ALLOCATOR: 'system', JOURNEY_WORKER_ALLOCATOR: 'jemalloc' }, installed)).toEqual({
      env: {},
      note: "the system's malloc (JOURNEY_API_ALLOCATOR=system)",
    });
    expect(workerAllocator({ JOURNEY_API_ALLOCATOR: 'system' }, installed).env).toEqual({ LD_PRELOAD: LIB });
    expect(apiAllocator({ JOURNEY_WORKER_ALLOCATOR: 'system' }, installed).env).toEqual({ LD_PRELOAD: LIB });
    expect(() => apiAllocator({ JOURNEY_API_ALLOCATOR: 'jemalloc' }, missing)).toThrow(
      /^JOURNEY_API_ALLOCATOR=jemalloc, but libjemalloc\.so\.2/,
    );
    expect(() => apiAllocator({ JOURNEY_API_ALLOCATOR: 'mimalloc' }, installed)).toThrow(
      'JOURNEY_API_ALLOCATOR must be auto, jemalloc or system, got "mimalloc"',
    );
  });

  it('tells from a process map whether jemalloc is loaded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allocator-'));
    writeFileSync(join(dir, 'with'), `7f00-7f01 r-xp 00000000 fe:01 123 ${LIB}\n`);
    writeFileSync(join(dir, 'without'), '7f00-7f01 r-xp 00000000 fe:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6\n');
    expect(runsWithJemalloc(join(dir, 'with'))).toBe(true);
    expect(runsWithJemalloc(join(dir, 'without'))).toBe(false);
    expect(runsWithJemalloc(join(dir, 'absent'))).toBe(false);
  });

  const lib = JEMALLOC_PATHS.find((p) => existsSync(p));
  if (!lib) console.error('\n*** SKIPPED: libjemalloc2 is not installed here: the preload of a real Node process is not checked ***\n');
  it.skipIf(!lib)(
    'a Node process started with the environment auto gives runs with jemalloc, and one without it does not',
    () => {
      const probe = `import('${join(process.cwd(), 'worker/allocator.ts')}').then((m) => console.log(m.runsWithJemalloc()))`;
      const run = (env: Record<string, string>) =>
        execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], {
          env: { ...process.env, LD_PRELOAD: '', ...env },
          encoding: 'utf8',
        }).trim();
      expect(run(workerAllocator({}).env)).toBe('true');
      expect(run(workerAllocator({ JOURNEY_WORKER_ALLOCATOR: 'system' }).env)).toBe('false');
      expect(run(apiAllocator({}).env)).toBe('true');
      expect(run(apiAllocator({ JOURNEY_API_ALLOCATOR: 'system' }).env)).toBe('false');
    },
    60_000,
  );
});
