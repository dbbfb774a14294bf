// The rows a report computed from a rollup, kept in the store beside it: the same report asked again while no new
// record arrived (the store's batch `seq` has not moved) is answered from them instead of combining the rollup's
// million level-1 rows again (about 0.4-1 s at 5 M records). An entry names the rollup table, the exact SQL and its
// parameters, and the batch it was computed at; any ingest moves the batch on and every older entry is dropped, and
// a rebuilt store drops the table with the rest (tracking-store.ts), so an answer is never stale.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { createHash } from 'node:crypto';

/** Entries kept for the current batch (one per distinct query asked). */
const MAX_ENTRIES = 64;

export async function cachedRows<T>(
  conn: DuckDBConnection,
  seq: number,
  sql: string,
  params: DuckDBValue[],
  compute: () => Promise<T>,
): Promise<T> {
  const key = createHash('sha256')
    .update(`${sql}\u0000${JSON.stringify(params, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`)
    .digest('hex');
  await conn.run(`CREATE TABLE IF NOT EXISTS report_cache (key VARCHAR PRIMARY KEY, seq INTEGER, rows VARCHAR, created_at TIMESTAMP)`);
  const hit = (await conn.runAndReadAll(`SELECT rows FROM report_cache WHERE key = $1 AND seq = $2`, [key, seq])).getRows()[0];
  if (hit) return JSON.parse(String(hit[0])) as T;
  const value = await compute();
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`DELETE FROM report_cache WHERE seq <> $1`, [seq]);
    await conn.run(`INSERT OR REPLACE INTO report_cache VALUES ($1, $2, $3, now())`, [key, seq, JSON.stringify(value)]);
    await conn.run(`DELETE FROM report_cache WHERE key IN (SELECT key FROM report_cache ORDER BY created_at DESC OFFSET ${MAX_ENTRIES})`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
  return value;
}
