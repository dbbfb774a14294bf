// A kept folder for bench/report.ts (BENCH_REPORT_KEEP=DIR), so that work on the report's warm path costs minutes,
// not the ~20 of generating 5,000,000 records, running the JS baseline over them and the cold ingest. DIR holds:
//   data/        the data folder the report reads (data/tracking/*.ndjson and data/kpi-store/)
//   cold-store/  a copy of data/kpi-store taken right after the cold report
//   kept.json    the logs' sizes after generation and the figures printed then (generation, baseline, cold)
// Restoring cuts each log back to its size after generation (the tails only append, so the bytes before are the
// generated ones), removes the logs the tails added, and puts the cold store back: the store's cursors (file
// identity and offset) then match the logs exactly, as they did right after the cold report.
import { cp, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface KeptFigures {
  records: number;
  /** When the kept folder was made, and the lines printed then (generation, baseline, cold), printed again as such. */
  madeAt: string;
  lines: string[];
  baseline?: { ms: number; records: number; groups: number };
  coldMs: number;
}

interface KeptMeta extends KeptFigures {
  sizes: Record<string, number>;
}

export const keptDataDir = (keep: string) => join(keep, 'data');

/** Puts DIR back as it was right after the cold report; undefined when DIR holds no kept run of `records` records. */
export async function restoreKept(keep: string, records: number): Promise<KeptFigures | undefined> {
  let meta: KeptMeta;
  try {
    meta = JSON.parse(await readFile(join(keep, 'kept.json'), 'utf8')) as KeptMeta;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (meta.records !== records) return undefined;
  const tracking = join(keptDataDir(keep), 'tracking');
  for (const name of await readdir(tracking)) {
    const size = meta.sizes[name];
    if (size === undefined) await rm(join(tracking, name), { force: true });
    else if ((await stat(join(tracking, name))).size < size) throw new Error(`${keep}: ${name} is shorter than when it was kept`);
    else await truncate(join(tracking, name), size);
  }
  const store = join(keptDataDir(keep), 'kpi-store');
  await rm(store, { recursive: true, force: true });
  await cp(join(keep, 'cold-store'), store, { recursive: true });
  return meta;
}

/** Keeps the logs as they are now and a copy of the store (call it right after the cold report). */
export async function saveKept(keep: string, figures: KeptFigures): Promise<void> {
  const tracking = join(keptDataDir(keep), 'tracking');
  const sizes: Record<string, number> = {};
  for (const name of await readdir(tracking)) sizes[name] = (await stat(join(tracking, name))).size;
  await rm(join(keep, 'cold-store'), { recursive: true, force: true });
  await cp(join(keptDataDir(keep), 'kpi-store'), join(keep, 'cold-store'), { recursive: true });
  await writeFile(join(keep, 'kept.json'), JSON.stringify({ ...figures, sizes } satisfies KeptMeta, null, 2));
}

/** A fresh kept folder: whatever an older kept run left is removed first. */
export async function resetKept(keep: string): Promise<void> {
  for (const part of ['data', 'cold-store', 'kept.json']) await rm(join(keep, part), { recursive: true, force: true });
  await mkdir(keptDataDir(keep), { recursive: true });
}
